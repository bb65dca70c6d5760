# args: (1.0, 3)
def f(x, n):
    s = 0.0
    for i in range(n):  # error: the loop variable 'i' is reassigned inside the loop
        i = i + 1
        s = s + x * i
    return s
