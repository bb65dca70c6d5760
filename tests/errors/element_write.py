# args: (np.array([1.0, 2.0, 3.0]),)
import numpy as np


def f(x):
    head = x[:2]
    head[0] = 5.0  # error: they may share memory
    return np.sum(x * head)
