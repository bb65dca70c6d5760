# args: (1.0,)
import numpy as np


def f(x):
    try:
        a = x * x
        y = np.log(a)
    except FloatingPointError:  # error: the try block may have assigned a before the exception
        y = a
    return y
