# golden: index_tricks wrt=x args=(numpy.array([[0.5, -1.0], [2.0, 0.3], [1.2, -0.7]]), 0.4)
"""numpy.r_ and numpy.c_: the concatenations they stand for, with a slice read as its arange."""

import numpy


def index_tricks(x, s):
    rows = numpy.r_[x[:, 1], s * x[:, 0], 1:3]
    columns = numpy.c_[x[:, 0], numpy.exp(x)]
    return numpy.sum(rows**2) * s + numpy.sum(columns[:, 1] * x[:, 0])
