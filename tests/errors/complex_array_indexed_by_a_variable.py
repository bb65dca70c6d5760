# args: (0.5, 1)
import numpy


def f(x, i):
    z = numpy.zeros(3, dtype=complex)  # not an array of floats: its kind is "other"
    z[1] = x
    return (z[i] * 2.0).real  # error: indexing this value by a variable cannot be differentiated
