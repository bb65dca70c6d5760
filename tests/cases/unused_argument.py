# golden: f wrt=x,y,z args=(2.0, np.ones(3), np.ones(3))
import numpy as np


def f(x, y, z):
    n = len(y)
    return x * n + np.sum(z)
