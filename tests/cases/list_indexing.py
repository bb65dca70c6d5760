# golden: f wrt=x,y args=(0.7, -1.1)
import numpy as np


def f(x, y):
    """A list indexed by a loop variable and sliced: its adjoint is a list, d_xs[i] one element of it."""
    xs = [x, x * y, np.sin(y)]
    s = 0.0
    for i in range(len(xs)):
        s = s + xs[i] * xs[len(xs) - 1 - i]
    return s + sum(xs[1:]) * xs[0]
