# golden: f wrt=x args=(np.array([0.5, -1.5, 3.0, -0.2]),)
import numpy as np


def f(x):
    """Skip negative entries: the rest of the body moves under the branch that did not continue."""
    s = 0.0
    for v in x:
        if v < 0.0:
            continue
        s = s + np.sqrt(v)
    return s
