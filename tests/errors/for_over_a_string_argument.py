# args: (1.0, "abc")
def f(x, letters):
    s = 0.0
    for c in letters:  # error: cannot loop over 'letters': it is neither an array nor a list or tuple
        s = s + x
    return s
