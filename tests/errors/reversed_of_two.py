# args: (1.0, [1.0, 2.0])
def f(x, xs):
    s = 0.0
    for v in reversed(xs, 1):  # error: reversed takes one argument
        s = s + x * v
    return s
