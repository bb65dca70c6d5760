# args: (1.0,)
def f(x):
    total = 0.0

    def add(v):
        nonlocal total  # error: writing a nonlocal or global variable cannot be differentiated
        total = total + v

    add(x)
    return total
