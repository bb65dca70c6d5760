# golden: loss wrt=params args=(PARAMS, np.array([1.0, -0.5, 2.0]), np.array([0.3, -0.1]))
import numpy as np

PARAMS = {"W": np.full((2, 3), 0.2), "b": np.array([0.1, -0.1])}


def loss(params, x, y):
    """The gradient of a dict of parameters is a dict with the same keys."""
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum((h - y) ** 2)
