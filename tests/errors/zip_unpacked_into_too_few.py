# args: (1.0, [1.0, 2.0], [3.0, 4.0], [5.0, 6.0])
def f(x, a, b, c):
    s = 0.0
    for u, v in zip(a, b, c):  # error: unpack the loop variable into 3 names
        s = s + x * u * v
    return s
