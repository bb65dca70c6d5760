# golden: f wrt=x args=(np.arange(12.0).reshape(3, 4) / 7.0,)
import numpy as np


def f(x):
    rows = x.sum(axis=1, keepdims=True)
    centered = x - x.mean(axis=0)
    return np.sum(centered / rows) + x.max() + np.std(x)
