# args: (1.0, [1.0, 2.0])
def f(x, xs):
    s = 0.0
    for (i, j), v in enumerate(xs):  # error: the counter of enumerate must be a plain name
        s = s + x * v * i * j
    return s
