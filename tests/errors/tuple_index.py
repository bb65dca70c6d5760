# args: (1.0,)
def f(x):
    pair = x * 2.0, x + 1.0
    a, b = pair  # error: indexing a tuple of differentiated values is not supported yet
    return a * b
