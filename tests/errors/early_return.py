# args: (1.0,)
def f(x):
    return x  # error: an early 'return' is not supported yet
    y = x * 2.0
    return y
