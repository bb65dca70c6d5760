# args: (1.0,)
def f(x):
    s = 0.0
    for v in (x * i for i in range(3)):  # error: a generator expression is differentiated only as
        s = s + v
    return s
