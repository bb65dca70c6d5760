# args: (1.0, 3)
def f(x, n):
    s = 0.0
    for i, j in range(n):  # error: a range loop has one loop variable
        s = s + x * i
    return s
