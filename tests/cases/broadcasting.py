# golden: f wrt=W,b,c args=(np.ones((3, 4)) * 0.3, np.arange(4.0), 1.5)
import numpy as np


def f(W, b, c):
    z = W * b + c
    return np.sum(z * z)
