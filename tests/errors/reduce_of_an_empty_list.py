# args: (1.0,)
import functools


def f(x):
    return x * functools.reduce(lambda a, b: a * b, [])  # error: reduce of an empty list with no initial value
