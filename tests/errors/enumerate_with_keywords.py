# args: (1.0, [1.0, 2.0])
def f(x, xs):
    s = 0.0
    for i, v in enumerate(xs, start=1):  # error: enumerate takes a sequence and an optional start
        s = s + x * v * i
    return s
