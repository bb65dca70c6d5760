# args: (1.0,)
def f(x):
    s = 0.0
    for i in range(3):
        try:  # error: a 'try' inside a loop is not supported yet
            s = s + x / i
        except ZeroDivisionError:
            s = s + x
    return s
