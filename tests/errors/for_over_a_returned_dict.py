# args: (1.5,)
def scaled(x):
    return {0: x, 1: 2.0 * x}


def f(x):
    s = 0.0
    d = scaled(x)
    for key in d:  # error: this loop runs over a dict
        s = s + key * x
    return s
