# args: (np.ones(3),)
import numpy as np


def f(x):
    return np.sum(x, wrong_keyword=1)  # error: this call does not match the rule of 'sum'
