# args: (0.5,)
import s2sgrad


def halving_residual(x, pair):
    return x - 0.5 * (pair[0] + pair[1])


@s2sgrad.custom_root(halving_residual)
def halfway(pair):
    return 0.5 * (pair[0] + pair[1])


def f(x):
    # the implicit function theorem's derivative takes each differentiated parameter as one value
    return halfway((x, x * 2.0))  # error: passing a list or tuple of differentiated values is not supported yet
