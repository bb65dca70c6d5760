# args: (1.0,)
def f(x):
    try:
        y = x * x
        return y  # error: return, break or continue in a try with 'finally' is not supported
    finally:
        x = 0.0
