# args: (1.0,)
def f(x):
    total = 0.0

    def add(v):  # error: nested function definitions are not supported yet
        nonlocal total
        total = total + v

    add(x)
    return total
