# args: (1.0, {"scale": 2.0})
def helper(x, scale=1.0):
    return x * scale


def f(x, options):
    # a dict parameter's keys are not part of what the code is specialized on
    return helper(x, **options)  # error: unpacking with ** a dict whose keys the compiler cannot tell
