# golden: f wrt=x args=(1.2,)
def f(x):
    a, b = x * 2.0, x + 1.0
    a, b = b, a
    return a * b
