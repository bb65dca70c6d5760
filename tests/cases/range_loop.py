# golden: f wrt=x args=(1.5, 4)
def f(x, n):
    s = 0.0
    for i in range(n):
        s = s * x + i
    return s
