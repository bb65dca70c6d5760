# args: (1.0,)
import numpy as np


def f(x):
    return np.sum(np.array(x * i for i in range(3)))  # error: a generator expression is differentiated only as
