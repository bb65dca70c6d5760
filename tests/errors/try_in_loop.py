# args: (1.0,)
def f(x):
    s = 0.0
    for i in range(3):
        try:  # error: try
            s = s + x / i
        except ZeroDivisionError:
            s = s + x
    return s
