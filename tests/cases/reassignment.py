# golden: f wrt=x args=(1.5,)
def f(x):
    y = x * 2.0
    y = y * y
    x = x + y
    return x * y
