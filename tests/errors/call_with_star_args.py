# args: (1.0, [2.0, 3.0])
def helper(a, b, c):
    return a * b * c


def f(x, rest):
    # a list parameter's length is not part of what the code is specialized on
    return helper(x, *rest)  # error: unpacking with * a value whose length the compiler cannot tell
