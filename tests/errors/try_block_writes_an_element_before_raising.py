# args: (numpy.array([0.5, 0.3, 0.8]),)
import numpy


def f(x):
    y = numpy.zeros(2)
    try:
        y[0] = x[0]  # an element write assigns y too
        y[1] = numpy.sqrt(x[1])
    except ValueError:  # error: the try block may have assigned y before the exception
        print("no square root")
    return numpy.sum(y * x[2])
