"""Helpers in another module, called by the programs of test_calls.py."""

import numpy as np

SLOPE = 0.1  # a module-level constant the helpers read


def dense(W, b, x):
    return W @ x + b


def leaky_relu(z):
    return np.where(z > 0.0, z, SLOPE * z)


def mse(prediction, target):
    return np.mean((prediction - target) ** 2)
