# golden: symmetric_loss wrt=a,v args=(np.array([[2.0, 0.5], [0.3, 1.5]]), np.array([0.4, -0.2]))
import numpy as np


def quadratic(m, v, scale=1.0):
    return scale * (v @ m @ v)


def symmetrized(*args, **kwargs):
    """Forwards what it gathers: *args[1:] and **kwargs are passed on one by one."""
    return quadratic(0.5 * (args[0] + args[0].T), *args[1:], **kwargs)


def symmetric_loss(a, v):
    ends = (v[0], v[-1])
    return symmetrized(a, v, scale=2.0) + np.hypot(*ends)
