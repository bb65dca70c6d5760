# args: (np.ones(2),)
import numpy as np


def f(x):
    z = np.zeros(1)
    s = 0.0
    for z[0] in x:  # error: a loop variable must be a plain name
        s = s + z[0] * x[0]
    return s
