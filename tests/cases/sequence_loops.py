# golden: f wrt=X,v args=(np.arange(6.0).reshape(3, 2) / 5, np.array([0.5, -1.0, 2.0]))
import numpy as np


def f(X, v):
    """Loops over rows, enumerate, zip and reversed: each becomes a loop over indices."""
    s = 0.0
    for row in X:
        s = s + np.sum(row * row)
    for k, a in enumerate(v):
        s = s + k * a
    for a, row in zip(v, X):
        s = s + a * row[0]
    for a in reversed(v):
        s = s * 0.5 + a
    return s
