# args: (np.ones(3),)
import numpy as np
import scipy.signal


def f(x):
    # SciPy's Python source is not differentiated either: a rule, or this error at the call
    return np.sum(scipy.signal.lfilter([1.0], [1.0, -0.5], x))  # error: no derivative rule for 'lfilter'
