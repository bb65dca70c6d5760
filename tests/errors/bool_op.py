# args: (1.0,)
def f(x):
    y = x or 1.0  # error: 'and'/'or' on differentiated values
    return y
