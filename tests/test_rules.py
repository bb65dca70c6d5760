"""Every derivative rule against finite differences, through the specs in rule_specs.py."""

import pytest
from gradcheck import check_grad
from rule_specs import SPECS, qualified_name

from s2sgrad.rules import default_rules, generated_code

# spec id -> what s2sgrad gets wrong there (each test is expected to fail until fixed)
KNOWN_BUGS: dict = {}


def _params() -> list:
    params = []
    for spec in SPECS:
        marks = [pytest.mark.xfail(reason=KNOWN_BUGS[spec.id], strict=True)] if spec.id in KNOWN_BUGS else []
        params.append(pytest.param(spec, id=spec.id, marks=marks))
    return params


@pytest.mark.parametrize("spec", _params())
def test_rule(spec):
    check_grad(spec.test, spec.arguments(), wrt=spec.wrt, rtol=spec.rtol, atol=spec.atol)


def built_in_rules():
    """A fresh default table: the shared one also holds rules that other tests register."""
    return default_rules.__wrapped__()


def test_every_registered_callable_has_a_spec():
    covered = {id(spec.func) for spec in SPECS} | {id(f) for f in generated_code.HELPERS}
    missing = [qualified_name(f) for f in built_in_rules().callables() if id(f) not in covered]
    assert not missing, f"no spec in tests/rule_specs.py for: {', '.join(missing)}"


def test_every_spec_names_a_registered_callable():
    rules = built_in_rules()
    unknown = sorted({spec.name for spec in SPECS if spec.func not in rules})
    assert not unknown, f"specs for callables without a rule: {', '.join(unknown)}"


def test_spec_ids_are_unique_and_known_bugs_name_specs():
    ids = [spec.id for spec in SPECS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert set(KNOWN_BUGS) <= set(ids), sorted(set(KNOWN_BUGS) - set(ids))
