# args: (1.0, 2.0)
def f(x, y):
    first, *rest = x, y  # error: starred unpacking is not supported
    return first * rest[0]
