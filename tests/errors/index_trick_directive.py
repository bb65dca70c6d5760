# args: (numpy.array([1.0, 2.0]),)
import numpy


def f(x):
    y = numpy.r_["0,2", x, x]  # error: a directive string in numpy.r_ or numpy.c_ is not supported
    return numpy.sum(y)
