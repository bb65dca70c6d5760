# golden: f wrt=p args=(np.array([[0.0, 0.0], [1.0, 0.2], [0.3, 1.1]]),)
import numpy as np


def f(p):
    """A pairwise energy: the inner loop's range depends on the outer index."""
    energy = 0.0
    n = p.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            d = p[i] - p[j]
            energy = energy + 1.0 / np.sqrt(np.sum(d * d))
    return energy
