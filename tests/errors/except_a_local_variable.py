# args: (1.0,)
def f(x):
    kind = ZeroDivisionError
    try:
        y = 1.0 / x
    except kind:  # error: the exception type must not be a local variable
        y = 0.0
    return y * x
