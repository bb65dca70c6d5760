# args: (1.0,)
def f(x):
    y = x
    return y * (y := x * 2.0)  # error: 'y' is also read before, or assigned elsewhere in, the statement
