# args: (1.0,)
def apply(func, v):
    return func(v)


def f(x):
    return apply(lambda v: v * x, x)  # error: a lambda is not supported yet
