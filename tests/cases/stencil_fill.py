# golden: f wrt=u args=(np.sin(np.linspace(0.0, 3.0, 7)), 0.5)
import numpy as np


def f(u, h):
    """A finite-difference stencil filled element by element: nothing is stored."""
    n = len(u)
    lap = np.zeros(n)
    for i in range(1, n - 1):
        lap[i] = (u[i - 1] - 2.0 * u[i] + u[i + 1]) / (h * h)
    return np.sum(lap * lap)
