# args: (np.ones(3),)
import numpy as np
import scipy.signal


def f(x):
    # SciPy's Python source is not differentiated either: a rule, or this error at the call
    return np.sum(scipy.signal.convolve(x, np.ones(2)))  # error: no derivative rule for 'convolve'
