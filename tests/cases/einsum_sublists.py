# golden: einsum_sublists wrt=a,b args=(numpy.arange(6.0).reshape(2, 3) / 4 - 0.6, numpy.array([1.2, -0.4, 0.8]))
"""numpy.einsum's interleaved form: the subscripts are spelled from the sublists, then it is the one einsum."""

import numpy


def einsum_sublists(a, b):
    rows = numpy.einsum(a, [0, 1], b, [1], [0])
    return numpy.einsum(rows, [0], rows, [0]) + numpy.sum(numpy.einsum(a, [..., 1], [1, ...]) ** 2)
