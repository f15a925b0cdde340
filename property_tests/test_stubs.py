"""The typing stubs (impl/_declared.pyi) are what the op declarations give, and declare every bound op.

Ops are bound at import time, so editors and type checkers know them only through the generated stub file; a
stale file hides new ops from them (or shows removed ones). About impl's own packaging, not a parity check.
"""
import ast
import inspect

import pytest

import impl
from impl import _stubgen
from impl.ops import _registry

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's generated typing stubs (impl/_declared.pyi)")


def _stub_tree():
    return ast.parse(_stubgen.STUB_PATH.read_text())


def test_committed_stubs_match_the_declarations():
    assert _stubgen.STUB_PATH.read_text() == _stubgen.render(), (
        "impl/_declared.pyi is out of date with the @op declarations: run `python -m impl._stubgen`")


def test_stubs_declare_every_exported_function_and_bound_method():
    tree = _stub_tree()
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TensorMethods"]
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    exported = {n for n in _registry.functions() if getattr(impl, n, None) is not None}
    bound = {n for n in _registry.methods() if hasattr(impl.Tensor, n)}
    assert len(exported) > 150 and len(bound) > 150  # the registry really was read
    assert exported - functions == set(), f"exported but missing from the stubs: {sorted(exported - functions)}"
    assert bound - methods == set(), f"bound on Tensor but missing from the stubs: {sorted(bound - methods)}"


def test_stub_signatures_follow_the_functions():
    """Parameter names and order in the stub are the function's (a renamed parameter would mislead the editor)."""
    tree = _stub_tree()
    stub = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    functions = _registry.functions()
    checked = 0
    for name, node in stub.items():
        args = node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        expected = [p.name for p in inspect.signature(functions[name]).parameters.values()
                    if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        assert names == expected, f"impl.{name}: stub parameters {names}, function {expected}"
        checked += 1
    assert checked == len(functions)
