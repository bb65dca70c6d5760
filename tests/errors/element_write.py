# args: (np.ones(3),)
import numpy as np


def f(x):
    y = np.zeros(3)
    y[0] = x[1]  # error: writing into an array element
    return np.sum(y)
