# args: (1.0,)
import numpy as np


def f(x):
    with np.errstate(all="ignore") as state:
        y = x * x
        print(state)  # error: the value a 'with' binds with 'as'
    return y
