# args: (1.0,)
import numpy as np


def f(x):
    options = {"out": None}
    return np.sin(x, **options)  # error: **
