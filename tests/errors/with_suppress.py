# args: (1.0, {})
import contextlib


def f(x, d):
    y = x
    with contextlib.suppress(KeyError):  # error: when contextlib.suppress swallows an exception, the block may have assigned y
        y = x * x
        y = y * d["k"]
    return y
