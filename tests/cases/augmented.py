# golden: f wrt=x,w args=(1.5, 0.5)
def f(x, w):
    s = 0.0
    s += w * x
    s *= x
    s -= w / x
    s **= 2
    return s
