"""044: norm(p=inf) of an empty tensor raised amax's message.

**Symptom:** ``impl.zeros(0, 3).norm(p=float("inf"))`` raised "amax(): Expected reduction dim to be specified"
-- the right class, but the message named an op the user never called; torch says "linalg.vector_norm cannot
compute the inf norm on an empty tensor because the operation does not have an identity".

**Root cause:** ``norm(p=inf)`` is the composite ``amax(abs(x))`` and let amax's emptiness check speak for it.

**Fix:** ``impl.ops.reduce.norm`` checks empty reductions for ``p = +-inf`` first and raises torch's message
naming the norm (impl/ops/reduce.py:norm).

**How this test catches it:** for ``p = inf`` and ``-inf``, with and without ``dim``, on empty tensors, impl must
raise torch's exception class with a message that names the norm and "does not have an identity"; and
``norm(p=inf, dim=1)`` of a ``(0, 3)`` tensor (every reduction non-empty, the result empty) must match torch.

**Seen in:** found while developing (notes/bugs_found.md); which test found it is not recorded.
``property_tests/test_ops.py::test_error_input`` (the norm spec's empty-input error) catches it now.

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_error_input[norm-0]` (`python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import reduce
from regression._util import assert_raises_like_torch, check_vs_torch, rewrite_source, swap_function

FAILS_WITH = r"does not match"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(reduce.norm, ("if input._data.size == 0 and (not axes or", "if False and (not axes or"))
    with swap_function(reduce.norm, broken):
        yield


def guard():
    import torch

    inf = float("inf")
    for p in (inf, -inf):
        for shp, dim in (((0,), None), ((0, 3), None), ((0, 3), 0)):
            assert_raises_like_torch(lambda shp=shp, p=p, dim=dim: impl.zeros(*shp).norm(p=p, dim=dim),
                                     lambda shp=shp, p=p, dim=dim: torch.zeros(*shp).norm(p=p, dim=dim),
                                     f"zeros{shp}.norm(p={p}, dim={dim})", match=r"norm.*does not have an identity")
    check_vs_torch(lambda lib, x: x.norm(p=inf, dim=1), np.zeros((0, 3), np.float32), what="(0, 3).norm(p=inf, dim=1)")


def test_guard():
    guard()
