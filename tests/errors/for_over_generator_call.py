# args: (np.ones(4),)
import numpy as np


def neighbours(x):
    for i in range(len(x) - 1):
        yield x[i], x[i + 1]


def f(x):
    s = 0.0
    for a, b in neighbours(x):  # error: neighbours
        s = s + a * b
    return s
