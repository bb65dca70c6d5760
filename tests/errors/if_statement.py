# args: (1.0,)
def f(x):
    if x > 0:  # error: 'if' statements are not supported yet
        x = x * 2.0
    return x
