# args: (1.0,)
TOTAL = 0.0


def f(x):
    global TOTAL  # error: writing a global variable cannot be differentiated
    TOTAL = x
    return x * 2.0
