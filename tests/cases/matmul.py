# golden: f wrt=W,x args=(np.eye(3) + 0.1, np.array([1.0, -2.0, 0.5]))
import numpy as np


def f(W, x):
    h = np.tanh(W @ x)
    return h.dot(h) + np.sum(W.T @ W)
