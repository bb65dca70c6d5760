# golden: f wrt=x args=(np.linspace(0.5, 2.0, 6),)
import numpy as np


def f(x):
    head = x[0]
    middle = x[1:-1]
    backwards = x[::-1]
    picked = x[np.array([0, 0, 3])]
    return head * np.sum(middle * backwards[1:-1]) + np.sum(picked)
