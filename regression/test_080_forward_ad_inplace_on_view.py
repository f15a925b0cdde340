"""080: Forward-mode AD lost tangents through in-place ops on views: the base (and the other views) kept stale tangents.

**Symptom:** with dual tensors, ``z = x * 1; z[1].mul_(3)`` left ``z``'s tangent unchanged (torch: its second row
tripled), and ``v = z[1]; z.mul_(2)`` left ``v``'s tangent at its old value; ``torch.func.jvp`` of such functions
disagreed with impl's forward mode, silently, while their reverse-mode gradients agreed.

**Root cause:** in torch a view's tangent is a view of its base's tangent. impl keeps tangents per tensor: the
in-place op gave the written view its new tangent but never wrote it into the base's, and a view whose base had
changed was given a new history (regenerated from the base) but kept its old tangent.

**Fix:** ``impl.ops._views.write_tangent_into_base`` (called by ``impl.ops.inplace.inplace`` after an in-place op on
a view run without a graph) writes the view's tangent into the base's; ``inplace_on_view`` lets the recorded
CopySlices carry the base's tangent and gives the base the result's; ``_views.regenerate`` (and ``inplace``,
before an in-place op on a stale view) reads a view's tangent again from its base's (``_refresh_tangent``).

**How this test catches it:** forward-mode tangents of three functions (in-place on a view, in-place on the base
with a live view, a chain through a view of a view) against ``torch.func.jvp``, once with plain dual inputs and once
through recorded graphs (inputs that require grad).

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_higher_order.py::test_forward_ad_jvp`` on spec ``scatter_inplace_on_view`` (2026-12-01).

**Generic tests catch it too:** yes -- test_forward_ad_jvp on the in-place-on-view specs.
"""
import contextlib

import numpy as np

from impl.ops import _views
from regression._util import assert_close, rewrite_source, stack, swap_attr, swap_function

FAILS_WITH = r"forward-mode tangent"


@contextlib.contextmanager
def reintroduce(variant=None):
    """Tangents stay per tensor: nothing is written into the base's, nothing read again from it."""
    on_view = rewrite_source(_views.inplace_on_view, ("            level.set(base, tangent)\n", "            pass\n"))
    with stack(swap_attr(_views, "_refresh_tangent", lambda view, base: None),
               swap_attr(_views, "write_tangent_into_base", lambda view: None),
               swap_function(_views.inplace_on_view, on_view)):
        yield


def _cases():
    def on_view(x):
        z = x * 1
        z[1].mul_(3)
        return (z,)

    def on_base(x):
        z = x * 1
        v = z[:, 0]
        z.mul_(2)
        return (v * 1,)

    def chain(x):
        z = x * 1
        v = z[1]
        v.mul_(3)
        w = v[0]
        z.mul_(2)
        w.add_(1)
        return z, v * 1, w * 1

    return {"in-place on a view": on_view, "in-place on the base of a live view": on_base, "view of a view": chain}


def guard():
    import torch

    import impl
    from impl.autograd import forward_ad as fwad

    x0 = np.array([[0.5, -1.5], [2.0, 3.0]])
    t0 = np.array([[1.0, 2.0], [3.0, -4.0]])
    for name, fn in _cases().items():
        expected = torch.func.jvp(lambda a, fn=fn: fn(a), (torch.tensor(x0),), (torch.tensor(t0),))[1]
        for graph in (False, True):
            with fwad.dual_level():
                x = impl.tensor(x0, requires_grad=graph)
                dual = fwad.make_dual(x * 1 if graph else x, impl.tensor(t0))
                got = [fwad.unpack_dual(o).tangent for o in fn(dual)]
            for k, (g, e) in enumerate(zip(got, expected)):
                assert g is not None, f"forward-mode tangent of output {k} missing ({name})"
                assert_close(g.numpy(), e.numpy(), f"forward-mode tangent of output {k} ({name}, graph={graph})")


def test_guard():
    guard()
