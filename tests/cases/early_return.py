# golden: f wrt=x args=(np.array([0.5, 1.5, 3.0, 0.2]), 1.0)
import numpy as np


def f(x, threshold):
    """First-passage value: a return inside a loop, another after it."""
    total = 0.0
    for v in x:
        total = total + np.exp(-v)
        if total > threshold:
            return total * v
    return -total
