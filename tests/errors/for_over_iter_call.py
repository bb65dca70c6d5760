# args: (np.ones(3),)
import numpy as np


def f(x):
    s = 0.0
    for v in iter(x):  # error: iter
        s = s + v * v
    return s
