# args: (np.ones(3),)
import numpy as np


def f(x):
    return x.searchsorted(0.5) * x.sum()  # error: the method 'searchsorted' is not supported
