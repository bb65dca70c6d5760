# args: (0.7,)


def f(x):
    items = [x, 2 * x, 3 * x]
    first = items[0]
    items[:] = [4 * x]  # error: writes a slice of the list 'items'
    return first * items[0]
