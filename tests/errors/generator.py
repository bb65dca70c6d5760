# args: (1.0,)
def f(x):
    s = 0.0
    for i in range(3):
        s = s * x + i
        yield s  # error: yield
    return s
