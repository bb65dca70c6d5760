# args: (1.0,)
def helper(a, b):
    return a * b


def f(x):
    return helper(x, x, x)  # error: this call does not match 'helper'
