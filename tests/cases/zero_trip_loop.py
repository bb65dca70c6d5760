# golden: f wrt=x,w args=(0.7, np.ones(3), 0)
import numpy as np


def f(x, w, n):
    """With n = 0 the loop never runs: d/dx = 1 and d/dw = 0, both defined."""
    y = x
    for k in range(n):
        y = np.sin(y) * w[k]
    return y
