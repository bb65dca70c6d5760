# args: (1.0,)
LAST = 0.0


def f(x):
    s = 0.0
    for i in range(3):
        global LAST  # error: global
        s = s * x + i
        LAST = s
    return s
