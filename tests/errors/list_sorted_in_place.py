# args: (0.7,)


def f(x):
    items = [3 * x, 2 * x, x]
    first = items[0]
    items.sort()  # error: changes the list 'items' in place as a whole
    return first * items[0]
