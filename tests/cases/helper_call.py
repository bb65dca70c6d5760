# golden: loss wrt=w args=(np.array([0.5, -1.0]), X, Y)
import numpy as np

X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.1]])
Y = np.array([1.0, 0.0, 2.0])


def predict(w, X):
    return np.tanh(X @ w)


def penalty(w, strength=0.1):
    return strength * np.sum(w * w)


def loss(w, X, y):
    """A loss built from two helpers: each gets a gradient function of its own."""
    error = predict(w, X) - y
    return np.sum(error * error) + penalty(w)
