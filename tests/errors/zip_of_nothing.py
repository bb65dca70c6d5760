# args: (1.0,)
def f(x):
    s = x
    for v in zip():  # error: zip takes sequences
        s = s + v
    return s
