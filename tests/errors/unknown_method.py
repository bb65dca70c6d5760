# args: (np.ones(3),)
import numpy as np


def f(x):
    return x.cumprod().sum()  # error: the method 'cumprod' is not supported
