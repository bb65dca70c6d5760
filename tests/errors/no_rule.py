# args: (np.ones(3),)
import numpy as np


def f(x):
    return np.sum(np.sinc(x))  # error: no derivative rule for 'sinc'
