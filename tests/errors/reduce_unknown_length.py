# args: (1.0, [2.0, 3.0])
import functools


def f(x, xs):
    return functools.reduce(lambda a, b: a * b, xs) * x if x > 0 else x  # error: reduce over a list whose length the compiler cannot see is not supported where only some paths evaluate it
