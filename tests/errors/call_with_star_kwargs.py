# args: (1.0,)
def helper(**values):
    return values["a"] * 3.0


def f(x):
    y = helper(a=x)  # error: passing differentiated values through **kwargs of a called function is not supported yet
    return y
