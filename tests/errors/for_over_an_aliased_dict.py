# args: (1.5, {0: 5.0, 1: 7.0})
def f(x, weights):
    same = weights
    s = 0.0
    for key in same:  # error: this loop runs over a dict
        s = s + key * x
    return s
