# args: (1.0, 2.0)
import functools


def f(x, y):
    return functools.reduce(lambda a, b: a * b, [x, y], 1.0, 2.0)  # error: reduce takes a function, an iterable and an initial value
