# args: (0.7, 1.3)
def f(x, k):
    if x > 0.0:  # noqa: SIM108 - two definitions are what is tested
        h = lambda v: v * k  # noqa: E731
    else:
        h = lambda v: v * 2.0  # noqa: E731  # error: is defined more than once
    return h(x)
