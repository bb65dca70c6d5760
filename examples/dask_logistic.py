"""The gradient of a logistic-regression loss over a chunked Dask array, in bounded memory.

s2sgrad's generated gradient is plain NumPy calls, and a Dask array implements NumPy's protocols, so the
same generated code builds a Dask task graph instead of computing: ``grad(loss)(w, b, X, y)`` returns lazy
Dask arrays at once, and ``dask.compute`` then runs them a few chunks of rows at a time. The data is
never whole in memory: each chunk of X is made from its own random seed when a task needs it.

    python examples/dask_logistic.py                     # 200,000 x 10 in chunks of 20,000: seconds
    python examples/dask_logistic.py --rows 100000000    # 10^8 x 10 float64: 8 GB of X, made chunk by chunk

Both runs check the gradient against NumPy's on the first rows, and print the peak memory of the process.
Needs Dask: ``pip install "s2sgrad[dask]"``.
"""

# golden: none (Dask is optional; the loss is logistic_regression's, and tests/test_dask.py checks its gradients)
import argparse
import resource
import sys
import time

import dask
import dask.array as da
import numpy as np

import s2sgrad

FEATURES = 10
TRUE_W = np.linspace(-1.0, 1.0, FEATURES)


def loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)  # the mean of -log p(y | x): log(1 + e^z) - y z


def data(rows: int, chunk: int, seed: int = 0):
    """Standard normal features X (rows x FEATURES) and labels y of a noisy linear rule, as lazy Dask arrays."""
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES), chunks=(chunk, FEATURES))
    noise = rng.standard_normal(rows, chunks=chunk)
    y = (X @ TRUE_W + noise > 0).astype(float)
    return X, y


def gradient(w, b, X, y):
    """d loss / d (w, b): Dask arrays, nothing computed yet, when X and y are Dask arrays."""
    return s2sgrad.grad(loss, wrt=("w", "b"))(w, b, X, y)


def check_on_the_first_rows(w, b, X, y, rows: int) -> float:
    """The largest difference between the lazy gradient on the first ``rows`` rows and NumPy's on the same rows."""
    head_X, head_y = dask.compute(X[:rows], y[:rows])
    expected = gradient(w, b, head_X, head_y)  # NumPy arrays in, the NumPy gradient out
    lazy = gradient(w, b, X[:rows].rechunk(rows // 4), y[:rows].rechunk(rows // 4))  # sums over four chunks
    return max(float(np.max(np.abs(np.asarray(got) - want))) for got, want in zip(dask.compute(*lazy), expected))


def peak_memory_mib() -> float:
    """The peak resident memory of this process so far (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows of X (default 200,000)")
    parser.add_argument("--chunk", type=int, default=None, help="rows per chunk (default: rows / 10, at most 10^6)")
    args = parser.parse_args(argv)
    chunk = args.chunk or min(max(args.rows // 10, 1), 1_000_000)
    X, y = data(args.rows, chunk)
    w, b = np.zeros(FEATURES), 0.0
    print(
        f"X: {args.rows:,} x {FEATURES} float64 = {X.nbytes / 1e9:.3g} GB in {X.numblocks[0]} chunks of {chunk:,} rows"
    )

    started = time.perf_counter()
    d_w, d_b = gradient(w, b, X, y)
    print(
        f"gradient built lazily in {time.perf_counter() - started:.2f} s: {type(d_w).__name__} and {type(d_b).__name__}"
    )
    started = time.perf_counter()
    d_w, d_b = dask.compute(d_w, d_b)
    print(f"computed in {time.perf_counter() - started:.1f} s; peak memory {peak_memory_mib():,.0f} MiB")
    print("d loss / d w at w = 0:", np.round(d_w, 4))  # at w = 0: -mean(x (y - 1/2)), against TRUE_W's direction
    print("d loss / d b at b = 0:", round(float(d_b), 4))
    difference = check_on_the_first_rows(0.5 * TRUE_W, 0.1, X, y, 1000)
    print(f"largest difference from NumPy's gradient on the first 1,000 rows (at another w and b): {difference:.1e}")


if __name__ == "__main__":
    main()
