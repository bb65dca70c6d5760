# args: (1.5,)
import statistics


def f(x):
    # the standard library's Python source is not differentiated: its functions need a rule
    return statistics.fmean([x, 2.0 * x])  # error: no derivative rule for 'fmean'
