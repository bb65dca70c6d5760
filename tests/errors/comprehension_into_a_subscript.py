# args: (np.ones(3),)
import numpy as np


def f(x):
    holder = [0.0]
    return sum([v * v for holder[0] in x for v in x])  # error: a comprehension's variables must be plain names
