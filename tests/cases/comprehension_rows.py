# golden: f wrt=X,w args=(np.arange(6.0).reshape(3, 2) / 5 - 0.4, np.array([0.5, -1.0]))
import numpy as np


def f(X, w):
    """A comprehension over an array's rows, with a filter, stacked back into an array."""
    scores = np.stack([np.tanh(row @ w) for row in X if np.sum(row) > -1.0])
    return np.sum(scores**2)
