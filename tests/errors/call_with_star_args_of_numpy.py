# args: (1.0, 2.0)
import numpy as np


def f(x, y):
    pair = (x, y)
    return np.hypot(*pair)  # error: calls with *args are not supported yet
