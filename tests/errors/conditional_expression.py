# args: (1.0,)
def f(x):
    y = x if x > 0 else -x  # error: a conditional expression is not supported yet
    return y
