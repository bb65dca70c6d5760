# args: (1.0, {})
import contextlib


def f(x, d):
    for _ in range(2):
        with contextlib.suppress(KeyError):  # error: 'with contextlib.suppress' (a try) inside a loop is not supported yet
            x = x * d["k"]
    return x
