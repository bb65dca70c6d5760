# args: (np.ones(3),)
import numpy as np


def f(x):
    return np.sum(np.logaddexp2(x, 1.0))  # error: no derivative rule for 'logaddexp2'
