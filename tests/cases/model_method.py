# golden: loss wrt=x args=(Model(np.array([0.5, -1.0]), 0.1), np.array([1.0, 2.0]))
import numpy as np


class Model:
    def __init__(self, w, b):
        self.w, self.b = w, b


def loss(model, x):
    """model.w and model.b are values like any other: the generated code reads them by name."""
    return np.sum((model.w * x + model.b) ** 2)
