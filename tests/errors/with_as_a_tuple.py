# args: (1.0,)
import numpy as np


def f(x):
    with np.errstate(all="ignore") as (a, b):  # error: must be a plain name
        y = x * x
    return y
