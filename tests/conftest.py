"""Shared pytest setup: the --update-golden flag, the repository paths, and planted gradient bugs.

``pytest --plant-gradient-bug=scale`` (or ``=offset``) perturbs every gradient
that ``s2sgrad.value_and_grad`` returns: scaled by 1 + 1e-6, or offset by 1e-7
of the gradient's largest element. Every float64 ``check_grad`` call should
then fail (float32 checks allow float32 rounding, 1e-4); the summary says how
many did.
"""

import os
import pathlib
import shutil
import sys
import tempfile
from typing import Any, Callable

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # so tests can import gradcheck and rule_specs

import gradcheck  # noqa: E402  (needs the path above)

import s2sgrad  # noqa: E402

PLANTED = {"float64": [0, 0], "float32": [0, 0]}  # precision -> [check_grad calls, caught]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden/ from the current output")
    parser.addoption(
        "--without-rule-specs",
        action="store_true",
        help="leave out the per-spec rule checks (pure NumPy math, the longest part of the suite): CI runs them "
        "on the default Python and the rest on the oldest and newest",
    )
    parser.addoption(
        "--plant-gradient-bug",
        choices=("scale", "offset"),
        help="perturb every gradient s2sgrad returns (x (1 + 1e-6), or + 1e-7 of its scale) and count the checks "
        "that catch it",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")


def _restore_cache_dir(user_choice: Any) -> None:
    shutil.rmtree(os.environ.pop("S2SGRAD_CACHE_DIR"), ignore_errors=True)
    if user_choice is not None:
        os.environ["S2SGRAD_CACHE_DIR"] = user_choice


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("S2SGRAD_CACHE", "").strip().lower() not in ("0", "off", "false", "no"):
        # A disk cache of the run's own, never the user's (even one S2SGRAD_CACHE_DIR names): tests stay
        # independent of earlier runs, and every later compilation of a function an earlier test compiled
        # reads its entry back (a test of loading). S2SGRAD_CACHE=off runs the suite without one.
        user_choice = os.environ.get("S2SGRAD_CACHE_DIR")
        os.environ["S2SGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="s2sgrad-test-cache-")
        config.add_cleanup(lambda: _restore_cache_dir(user_choice))
    bug = config.getoption("--plant-gradient-bug")
    if bug:
        # before the test modules import check_grad from gradcheck
        s2sgrad.value_and_grad = gradcheck.planted(s2sgrad.value_and_grad, bug)
        gradcheck.check_grad = _counted(gradcheck.check_grad)


RULE_SPEC_TESTS = {"test_rule", "test_rule_unoptimized", "test_rule_float32", "test_tangent_rule"}


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if config.getoption("--without-rule-specs"):
        kept = [item for item in items if getattr(item, "originalname", item.name) not in RULE_SPEC_TESTS]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    bug = config.getoption("--plant-gradient-bug")
    if bug:
        for precision, (calls, caught) in PLANTED.items():
            terminalreporter.write_line(
                f"planted {bug} bug: caught by {caught} of {calls} {precision} check_grad calls"
            )


def _counted(check_grad: Callable) -> Callable:
    """``check_grad`` counting its calls and failures, by precision (float32 checks allow 1e-4: they cannot fail)."""

    def counted_check_grad(func: Callable, args: Any, *rest: Any, **kwargs: Any) -> None:
        counts = PLANTED["float32" if any(getattr(a, "dtype", None) == "float32" for a in args) else "float64"]
        counts[0] += 1
        try:
            check_grad(func, args, *rest, **kwargs)
        except AssertionError:
            counts[1] += 1
            raise

    return counted_check_grad
