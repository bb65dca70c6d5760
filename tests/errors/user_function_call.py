# args: (1.0,)
def helper(v):
    return v * 3.0


def f(x):
    y = helper(x)  # error: calls to Python functions such as 'helper' are not supported yet
    return y
