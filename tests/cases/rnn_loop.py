# golden: f wrt=W,b args=(np.eye(3) * 0.5, np.ones(3) * 0.1, np.linspace(-1.0, 1.0, 12).reshape(4, 3))
import numpy as np


def f(W, b, xs):
    """A NumPy loop: the hidden state is pushed once per step."""
    h = np.zeros(W.shape[0])
    for x in xs:
        h = np.tanh(W @ h + x + b)
    return np.sum(h * h)
