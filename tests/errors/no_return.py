# args: (1.0,)
def f(x):
    y = x * 2.0  # error: must end with 'return <value>'
