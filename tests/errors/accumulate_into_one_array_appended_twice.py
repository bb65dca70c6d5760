# args: (numpy.array([1.0, 2.0, 3.0]), numpy.array([0.5, -1.5, 2.0]))
import numpy


def f(a, b):
    z = numpy.zeros(3)
    acc = []
    for i in range(3):
        acc.append(z)  # the same array three times
    for i in range(3):
        acc[i] += a * (i + 1.0) + b  # error: which other items of 'acc' may be too
    return numpy.sum(acc[0] * acc[1] * acc[2])
