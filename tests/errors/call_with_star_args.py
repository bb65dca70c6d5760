# args: (1.0,)
def helper(*values):
    return values[0] * 3.0


def f(x):
    y = helper(x)  # error: passing differentiated values through *args of a called function is not supported yet
    return y
