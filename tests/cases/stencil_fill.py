# golden: f wrt=u args=(np.sin(np.linspace(0.0, 3.0, 7)), 0.5)
import numpy as np


def f(u, h):
    """Central differences filled element by element: nothing is stored."""
    grad = np.zeros(len(u) - 2)
    for i in range(len(grad)):
        grad[i] = (u[i + 2] - u[i]) / (2.0 * h)
    return np.sum(np.sqrt(1.0 + grad * grad))
