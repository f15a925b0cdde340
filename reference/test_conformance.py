"""The conformance report of another target (reference/conformance.py, ``python -m reference.report --target X``):
what counts as missing, torch against itself passing and rendered, a target that cannot be loaded, and the tinygrad
adapter (skipped, and saying so, where the ``tinygrad`` extra is not installed: pytest never depends on it)."""
from __future__ import annotations

import dataclasses
import os
import sys

import pytest

from reference import conformance, report, targets
from reference.registry import get_spec

pytestmark = pytest.mark.impl_only(reason="about the report tool, which selects its own targets")


@pytest.fixture
def selected():
    """``select(name)`` for the test; the previous target (and GRADPARITY_TARGET) restored afterwards."""
    before, env = targets._current, os.environ.get(targets.ENV)
    yield targets.select
    targets._current = before
    if env is None:
        os.environ.pop(targets.ENV, None)
    else:
        os.environ[targets.ENV] = env


class NotMapped(Exception):  # noqa: N818 - the class name the report recognises (as the tinygrad shim's)
    pass


def _chained(inner):
    try:
        try:
            raise inner
        except Exception as e:  # noqa: BLE001
            raise AssertionError("[forward: lib raised] ...") from e
    except AssertionError as outer:
        return outer


@pytest.mark.parametrize("exc, kind", [
    (AttributeError("module 'x' has no attribute 'expm1'"), "missing name"),
    (NotMapped("gelu(approximate='none')"), "not mapped"),
    (TypeError("sum() got an unexpected keyword argument 'dim'"), "signature"),
    (TypeError("f() takes 1 positional argument but 2 were given"), "signature"),
])
def test_missing_reasons_are_found_through_the_chain(exc, kind):
    assert conformance.missing_reason(exc).startswith(kind)
    assert conformance.missing_reason(_chained(exc)).startswith(kind)


@pytest.mark.parametrize("exc", [RuntimeError("shape mismatch"), TypeError("unsupported operand type(s)"),
                                 AssertionError("values differ"), IndexError("dim out of range")])
def test_wrong_results_and_other_errors_are_not_missing(exc):
    assert conformance.missing_reason(_chained(exc)) == ""


def test_torch_against_itself_passes_and_renders_with_its_run_history(selected, tmp_path):
    selected("torch")
    specs = [get_spec(n) for n in ("exp", "sum_dim", "F.softmax")]
    rep, path = conformance.write(specs, samples=1, out_dir=tmp_path, progress=False)
    assert [r.status for r in rep.results] == ["pass"] * 3
    assert all(r.cases == len(r.spec.dtypes) and r.fwd for r in rep.results)  # every dtype really compared
    text = path.read_text()
    assert path.name == "torch.md" and "**3 pass, 0 fail, 0 missing** of 3 specs" in text
    assert len(conformance._previous_runs(path)) == 1
    conformance.write(specs[:1], samples=1, out_dir=tmp_path, progress=False)
    assert len(conformance._previous_runs(path)) == 2  # a regeneration adds its row, keeps the earlier ones


def test_a_planted_wrong_op_fails_forward_and_vjp(selected):
    import impl

    selected("impl")  # the conformance run works for any target; impl's lib tells the two sides apart
    exp = get_spec("exp")
    planted = dataclasses.replace(exp, name="planted_exp", fn=lambda lib, x: x.exp() * (2 if lib is impl else 1))
    assert conformance.run_spec(exp, 1).status == "pass"  # the control: the same spec unplanted
    r = conformance.run_spec(planted, 1)
    assert r.status == "fail" and set(r.failed) >= {"forward", "VJP"}


def test_a_target_that_cannot_be_loaded_gives_a_clear_message(selected, capsys):
    code = report.main(["--target", "no_such_library_module:TARGET", "-k", "exp", "--no-progress"])
    assert code == 2
    assert "target 'no_such_library_module:TARGET' cannot be loaded" in capsys.readouterr().err


def test_the_tinygrad_report_without_the_extra_says_how_to_install_it(selected, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tinygrad", None)  # as if not installed: importing it raises ImportError
    for shim in ("reference.targets.tinygrad_torch", "reference.targets.tinygrad_functional"):
        monkeypatch.delitem(sys.modules, shim, raising=False)
    monkeypatch.setattr(targets, "_built", {})
    assert report.main(["--target", "tinygrad", "-k", "exp", "--no-progress"]) == 2
    assert 'pip install -e ".[tinygrad]"' in capsys.readouterr().err


def test_tinygrad_adapter_loads_and_classifies(selected):
    pytest.importorskip("tinygrad", reason="the tinygrad extra is not installed (pip install -e '.[tinygrad]')")
    target = selected("tinygrad")
    assert target.name == "tinygrad" and target.lib.nn.functional.relu is not None
    r = conformance.run_spec(get_spec("exp"), 1)
    assert r.status == "pass" and r.fwd and r.bwd  # compared, not skipped
    assert conformance.run_spec(get_spec("expm1"), 1).status == "missing"  # no expm1 in tinygrad
