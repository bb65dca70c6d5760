# args: (numpy.array([0.5, 0.3, 0.8]),)
import numpy


def f(x):
    y = numpy.zeros(3)
    numpy.copyto(y[0:2], x[0])  # error: an in-place write needs a named array here
    return numpy.sum(y * x)
