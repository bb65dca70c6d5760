# golden: f wrt=scale args=(np.linspace(-1.0, 1.0, 5), 0.8)
import numpy as np


def f(x, scale, shift=0.5, power=3):
    y = (x * scale + shift) ** power
    return np.sum(y, axis=0)
