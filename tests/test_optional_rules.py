"""SciPy is an optional extra: s2sgrad never imports it, and its rules join once the program imports it."""

import os
import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent(
    """
    import sys
    import numpy
    import s2sgrad
    s2sgrad.grad(lambda x: numpy.sum(numpy.sin(x)))(numpy.ones(3))
    assert "scipy" not in sys.modules, "importing or using s2sgrad imported SciPy"
    import scipy.special
    assert scipy.special.expit in s2sgrad.default_rules()
    assert "scipy.signal" not in sys.modules and "s2sgrad.rules.scipy_signal" not in sys.modules
    import scipy.signal
    assert scipy.signal.convolve in s2sgrad.default_rules()
    print(s2sgrad.grad(lambda x: numpy.sum(scipy.special.expit(x)))(numpy.zeros(2)))
    """
)


def test_scipy_rules_join_when_the_program_imports_scipy(tmp_path):
    pytest.importorskip("scipy.special")
    program = tmp_path / "uses_scipy.py"  # s2sgrad reads the source of what it differentiates
    program.write_text(PROGRAM)
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[0.25", "0.25]"]
