# golden: f wrt=a,b args=(np.array([1.0, 2.0]), np.array([0.5, -1.0]))
import numpy as np


def f(a, b):
    s = np.stack([a * b, a + b], axis=1)
    c = np.concatenate([a, b, s.ravel()])
    return np.sum(c * c)
