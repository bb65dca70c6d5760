# args: (1.0,)
def helper(*values):
    return values[0] * 3.0


def f(x):
    y = helper(x)  # error: takes *args, **kwargs or keyword-only parameters
    return y
