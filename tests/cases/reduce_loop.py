# golden: product_of wrt=xs args=([1.5, 2.0, 3.0], 0.5)
import functools


def product_of(xs, y):
    """reduce over a list of any length: the loop it means, the lambda lifted with the variable it reads (y)."""
    return functools.reduce(lambda a, b: a * b + y, xs)
