# args: (1.0,)
def f(x):
    try:  # error: 'try' blocks are not supported
        y = x * 2.0
    except ValueError:
        y = x
    return y
