# args: (np.ones(3),)
import numpy as np


def f(x):
    strides = x.strides  # error: the attribute 'strides' is not supported
    return np.sum(x) * strides[0]
