# args: (0.5,)
import numpy

TABLE = numpy.zeros(3)


def f(x):
    v = TABLE[0:2]
    v[0] = x  # error: it may be (or share memory with) a global or closure array
    return numpy.sum(v) * x
