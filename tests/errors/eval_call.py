# args: (1.0,)
def f(x):
    y = eval("x * 2.0")  # error: eval() reads or writes variables the compiler cannot see
    return y * x
