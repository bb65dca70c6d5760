# args: (numpy.array([0.5, -0.3, 0.8]),)
import numpy


def f(x):
    pair = (x[0:2], 1.0)
    v = pair[0]
    if x[0] > 0:
        v[0] = 2.0  # error: it is not known to be an array that s2sgrad could copy apart
    return numpy.sum(v) * 3.0
