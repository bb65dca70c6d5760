# args: (np.ones(3), 0.5)
import numpy as np


def f(x, lo):
    return np.sum(np.clip(x, lo, 2.0))  # error: does not differentiate its argument 'a_min'
