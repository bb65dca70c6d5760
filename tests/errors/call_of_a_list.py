# args: (0.5,)
WEIGHTS = [1.0, 2.0]


def f(x):
    return WEIGHTS(x) * x  # error: 'list' object is not callable
