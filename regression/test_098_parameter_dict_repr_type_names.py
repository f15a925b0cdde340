"""098: ParameterDict's repr printed dtypes where torch prints tensor-type names.

**Symptom:** ``repr(nn.ParameterDict({"a": nn.Parameter(ones(1))}))`` read ``(a): Parameter containing:
[impl.float32 of size 1]``; torch's reads ``[torch.FloatTensor of size 1]`` (``torch.typename``). ParameterList
prints the dtype in both libraries, so a shared helper had copied ParameterList's line into ParameterDict's.

**Root cause:** ``impl.nn.modules.container._param_line`` formatted ``p.dtype`` for both containers; torch's
ParameterDict.extra_repr uses ``torch.typename(p)`` (``FloatTensor``, ``DoubleTensor``, ...).

**Fix:** ``_param_line(k, p, type_name=True)`` in ``ParameterDict.extra_repr`` prints the tensor-type name
(``impl.FloatTensor``, ``impl.DoubleTensor``, ...), the torch name with ``impl`` for ``torch``.

**How this test catches it:** the repr of a float32 and a float64 parameter in a ParameterDict, and a ParameterList
of the same, compared with torch's (``torch.`` read as ``impl.``).

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_module_template.py::test_state_dict (its ParameterDict spec).

**Generic tests catch it too:** yes -- property_tests/test_module_template.py::test_twins and test_state_dict
compare every spec module's repr with torch's.
"""
import contextlib

from regression._util import rewrite_source, swap_attr

FAILS_WITH = r"ParameterDict repr"


@contextlib.contextmanager
def reintroduce(variant=None):
    from impl.nn.modules.container import ParameterDict

    broken = rewrite_source(ParameterDict.extra_repr, ("_param_line(k, p, type_name=True)", "_param_line(k, p)"))
    with swap_attr(ParameterDict, "extra_repr", broken):
        yield


def guard():
    import torch

    import impl
    import impl.nn as inn

    def build(lib, nn):
        return {"ParameterDict": nn.ParameterDict({"a": nn.Parameter(lib.ones(1)),
                                                   "b": nn.Parameter(lib.ones(2, 3, dtype=lib.float64))}),
                "ParameterList": nn.ParameterList([nn.Parameter(lib.ones(1)), nn.Parameter(lib.ones(2, dtype=lib.float64))])}

    ours, theirs = build(impl, inn), build(torch, torch.nn)
    for name in ours:
        expected = repr(theirs[name]).replace("torch.", "impl.")
        assert repr(ours[name]) == expected, f"{name} repr: impl {repr(ours[name])!r} vs torch {expected!r}"


def test_guard():
    guard()
