# args: (1.0,)
def f(x):
    try:
        y = 1.0 / x
    except ZeroDivisionError:
        y = 0.0
    except OverflowError:  # error: a try with several except clauses is not supported yet
        y = 1.0
    return y * x
