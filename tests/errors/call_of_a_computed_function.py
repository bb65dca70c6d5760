# args: (0.5,)
import numpy

FUNCTIONS = [numpy.sin, numpy.cos]


def f(x):
    return FUNCTIONS[0](x)  # error: cannot tell which function '<expression>' is
