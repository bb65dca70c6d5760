# args: (1.0, 3)
def f(x, n):
    s = x
    for i in range(n):
        if s > 2.0:
            return  # error: a bare 'return' returns None
        s = s * x
    return s
