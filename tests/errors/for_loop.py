# args: (1.0,)
def f(x):
    s = 0.0
    for i in range(3):  # error: 'for' loops are not supported yet
        s = s + x
    return s
