# golden: weighted wrt=x args=(1.5, 2.0, 3.0)
def weighted(x, *weights, power=2.0):
    """*weights is one tuple parameter, power a plain parameter of the generated code."""
    return weights[0] * x**power + weights[1] * x
