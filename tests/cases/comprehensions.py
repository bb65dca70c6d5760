# golden: f wrt=x,coeffs args=(0.7, np.array([0.5, -1.0, 2.0]))
import numpy as np


def f(x, coeffs):
    """A polynomial from a generator over enumerate; a list comprehension made an array."""
    p = sum(c * x**i for i, c in enumerate(coeffs))
    powers = np.array([x**i for i in range(3)])
    return p * np.sum(powers)
