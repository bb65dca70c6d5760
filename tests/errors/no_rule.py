# args: (np.ones(3),)
import numpy as np


def f(x):
    return np.sum(np.i0(x))  # error: no derivative rule for 'i0'
