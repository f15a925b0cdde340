"""026: Cross-entropy only handled 2-D logits: (B, T, V) language-model logits failed.

**Symptom:** The transformer milestone crashed in its loss: ``CrossEntropyLoss`` accepted ``(N, C)`` logits
only, so sequence models had to hand-roll a reshape (and a few did it in numpy, cutting the graph); segmentation-
style ``(N, C, H, W)`` logits were impossible.

**Root cause:** The loss indexed ``log_probs[np.arange(N), target]``, i.e. it assumed exactly one batch axis
and the class axis last, instead of torch's contract: classes on dim 1 of ``(N, C, d1, ..., dK)`` with
``(N, d1, ..., dK)`` targets (and an unbatched ``(C,)`` input).

**Fix:** ``impl.nn.functional.cross_entropy`` moves the class axis to the end, handles any number of extra
dims (and the unbatched form), and applies weight / ignore_index / label smoothing / reductions per element,
all inside one fused primitive (``_soft_ce``).

**How this test catches it:** value and logits gradient against torch for ``(N, C)``, ``(N, C, T)``,
``(N, C, H, W)``, the language-model pattern ``logits.permute(0, 2, 1)`` with ``(B, T)`` targets and the
``reshape(-1, V)`` pattern, and ``nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)`` on 3-D logits.

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23; TinyTorch's gradient-flow
fix summary for transformer training records the setting (its transformer milestone moved its loss onto the
library's ``CrossEntropyLoss``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_cross_entropy_matches_torch_over_drawn_options fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.nn.functional import loss as loss_mod
from regression._util import check_vs_torch, rng, swap_function

FAILS_WITH = r"raised ValueError: cross_entropy"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = loss_mod.cross_entropy

    def cross_entropy_2d_only(input, target, *args, **kwargs):
        if input.ndim != 2:
            raise ValueError(f"cross_entropy: expected (N, C) logits, got shape {tuple(input.shape)}")
        return orig(input, target, *args, **kwargs)

    with swap_function(orig, cross_entropy_2d_only):
        yield


def guard():
    r = rng(26)
    f = lambda *s: r.standard_normal(s).astype(np.float32)  # noqa: E731
    ce = lambda lib, x, t: lib.nn.functional.cross_entropy(x, t)  # noqa: E731
    grad_x = [True, False]
    check_vs_torch(ce, f(4, 5), r.integers(0, 5, 4), requires_grad=grad_x, what="CE (N, C)")
    check_vs_torch(ce, f(3, 5, 6), r.integers(0, 5, (3, 6)), requires_grad=grad_x, what="CE (N, C, T)")
    check_vs_torch(ce, f(2, 4, 3, 3), r.integers(0, 4, (2, 3, 3)), requires_grad=grad_x, what="CE (N, C, H, W)")
    check_vs_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x.permute(0, 2, 1), t), f(3, 6, 7),
                   r.integers(0, 7, (3, 6)), requires_grad=grad_x, what="LM logits (B, T, V).permute(0, 2, 1)")
    check_vs_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x.reshape(-1, 7), t.reshape(-1)), f(3, 6, 7),
                   r.integers(0, 7, (3, 6)), requires_grad=grad_x, what="LM logits reshape(-1, V)")
    check_vs_torch(lambda lib, x, t: lib.nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)(x, t), f(3, 5, 6),
                   r.integers(0, 5, (3, 6)), requires_grad=grad_x, what="CrossEntropyLoss(ignore_index, smoothing) 3-D")


def test_guard():
    guard()
