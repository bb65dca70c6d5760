# args: (numpy.array([1.0, 2.0, 3.0]), numpy.array([0.5, -1.5, 2.0]))
import numpy


def f(a, b):
    c = a * 1.0
    xs = [c, c]
    t = xs[0]
    t += b  # error: which other items of 'xs' may be too
    return numpy.sum(xs[1] * b)
