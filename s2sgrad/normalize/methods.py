"""ndarray methods and attributes that are really NumPy functions.

``x.sum(axis=0)`` becomes ``numpy.sum(x, axis=0)`` and ``x.T`` becomes
``numpy.transpose(x)``, so later stages see only calls of known callables.
"""

# method name -> numpy function name; the receiver becomes the first argument
METHODS = {
    name: name
    for name in [
        "sum",
        "mean",
        "prod",
        "max",
        "min",
        "var",
        "std",
        "cumsum",
        "dot",
        "clip",
        "trace",
        "ravel",
        "squeeze",
        "swapaxes",
        "argmax",
        "argmin",
        "argsort",
        "round",
        "all",
        "any",
        "diagonal",
        "repeat",
        "take",
        "cumprod",
        "conjugate",
    ]
}
METHODS["flatten"] = "ravel"
METHODS["conj"] = "conjugate"

# methods without a NumPy function of the same meaning: helpers in s2sgrad.runtime, with rules of their own
# (copy: of an array, a list or a dict, each its own kind of copy)
RUNTIME_METHODS = {"astype": "astype", "item": "item", "get": "get", "copy": "copied"}  # get: of a dict

# methods whose positional arguments form one tuple argument: x.reshape(2, 3)
VARARG_METHODS = {"reshape": "reshape", "transpose": "transpose"}

# attribute name -> numpy function of the receiver
ATTRIBUTES = {"T": "transpose", "shape": "shape", "ndim": "ndim", "size": "size", "real": "real", "imag": "imag"}
