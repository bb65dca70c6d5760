# golden: f wrt=x,y args=(0.7, 0.4)
import math


def f(x, y):
    a = math.sin(x) * math.exp(y)
    b = math.sqrt(x * x + y * y)
    return a / b + math.atan2(y, x)
