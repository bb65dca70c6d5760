"""Rules for ``scipy.signal`` (real arrays).

Like scipy_special, registered only once the program has imported ``scipy.signal``.

Every mode of ``convolve`` keeps a centered window of the full convolution,
``full[k] = sum_i in1[i] in2[k - i]``, so the adjoint of in1 is the window's
adjoint put back into the full shape, correlated with in2:
``d in1[i] = sum_k g_full[k] in2[k - i] = correlate(g_full, in2, "valid")[i]``
(and the same with in1 for in2). The method (direct or FFT) changes rounding only.
"""

from typing import Any

import numpy
import scipy.signal

from .notation import adjoint, d, t


def full_convolution_adjoint(g: Any, in1: Any, in2: Any, mode: str) -> Any:
    """The adjoint of ``convolve(in1, in2, "full")`` whose window ``mode`` has the adjoint ``g``."""
    if mode == "full":
        return g
    full = [m + n - 1 for m, n in zip(numpy.shape(in1), numpy.shape(in2))]
    valid = [abs(m - n) + 1 for m, n in zip(numpy.shape(in1), numpy.shape(in2))]  # the longer input less the other
    kept = numpy.shape(in1) if mode == "same" else valid
    window = tuple(slice((f - k) // 2, (f - k) // 2 + k) for f, k in zip(full, kept))
    spread = numpy.zeros(full, dtype=numpy.result_type(g))
    spread[window] = g
    return spread


@adjoint(scipy.signal.convolve)
def convolve(y, in1, in2, mode="full", method="auto"):
    spread = full_convolution_adjoint(d[y], in1, in2, mode)
    d[in1] += scipy.signal.correlate(spread, in2, "valid")
    d[in2] += scipy.signal.correlate(spread, in1, "valid")
    t[y] = scipy.signal.convolve(t[in1], in2, mode, method) + scipy.signal.convolve(in1, t[in2], mode, method)
