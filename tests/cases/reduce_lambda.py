# golden: product wrt=x args=(1.5, 0.5)
import functools


def product(x, y):
    """reduce unrolled into calls of the lambda, lifted with the variable it reads (y)."""
    return functools.reduce(lambda a, b: a * b + y, [x, 2.0 * x])
