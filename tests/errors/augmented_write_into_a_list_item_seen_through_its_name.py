# args: (numpy.array([1.0, 2.0, 3.0]), numpy.array([0.5, -1.5, 2.0]))
import numpy


def f(a, b):
    xs = [a, b]
    xs[0] += b  # error: which also changes 'a'
    return numpy.sum(a * xs[0])
