# args: (np.array([1.0, 2.0, 3.0]),)
import numpy as np


def f(x):
    y = x * 2.0
    head = y[:2]
    tail = y[1:]
    head[1] = 5.0  # error: they may share memory
    return np.sum(tail * x[1:])
