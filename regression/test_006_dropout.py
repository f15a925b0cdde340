"""006: Dropout multiplied raw data by its mask: graph cut (and eval mode must be the identity).

**Symptom:** Adding ``Dropout`` to a working model made every layer before it stop learning. A related
slip made evaluation noisy: validation accuracy changed from run to run because the mask was still
applied after ``model.eval()``.

**Root cause:** ``Dropout.forward`` returned ``Tensor(x.data * mask / keep_prob)`` -- a fresh leaf with no
history -- and the training flag was not consulted, so eval mode dropped units too.

**Fix:** ``impl.nn.functional.dropout`` is the composite ``input * noise`` with a constant noise tensor
(``mask / (1 - p)`` from impl's seeded generator), so ``mul``'s backward masks the gradient exactly as the
forward masked the values; with ``training=False`` or ``p == 0`` it returns the input itself.

**How this test catches it:** in training mode every output element must be ``0`` or ``x / (1 - p)`` and the
input gradient must be exactly ``v * (output != 0) / (1 - p)`` for a random cotangent ``v`` (the
definition; torch's RNG stream differs, so the mask cannot be compared to torch's), with a kept fraction
near ``1 - p``; in eval mode (module and functional) the output must equal the input and the gradient must
equal ``v``. Variant ``raw_mask`` fails the training-mode gradient, ``eval_not_identity`` the eval checks.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (Dropout computed ``x.data * mask /
keep_prob``) and MicroGrad+'s troubleshooting guide (its train()/eval() answer: Dropout passes inputs through in
eval mode).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_dropout_identity_cases_and_p_one, property_tests/test_functional.py::test_dropout_statistics_scaling_and_exact_backward_mask fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.functional import sparse
from regression._util import assert_close, no_crash, rewrap, rng, stack, swap_function

VARIANTS = ("raw_mask", "eval_not_identity")
FAILS_WITH = {
    None: r"does not require grad|impl gave None|eval",
    "raw_mask": r"does not require grad|impl gave None",
    "eval_not_identity": r"eval",
}


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = sparse.dropout

    def dropout(input, p=0.5, training=True, inplace=False):
        if variant in (None, "eval_not_identity"):
            training = True  # the flag was never consulted
        out = orig(input, p, training, inplace)
        if variant in (None, "raw_mask") and out is not input:
            out = rewrap(out)  # Tensor(x.data * mask / keep_prob)
        return out

    with stack(swap_function(orig, dropout)):
        yield


def guard():
    p = 0.3
    r = rng(6)
    x0 = r.uniform(0.5, 1.5, (40, 50)) * r.choice([-1.0, 1.0], (40, 50))
    v = r.standard_normal((40, 50))

    # training mode: the definition
    impl.manual_seed(6)
    m = impl.nn.Dropout(p)
    x = impl.tensor(x0, requires_grad=True)
    with no_crash("Dropout training forward/backward"):
        out = m(x)
        out.backward(impl.tensor(v))
    o = out.detach().numpy()
    kept = o != 0
    assert_close(o, np.where(kept, x0 / (1 - p), 0.0), "train: outputs are 0 or x / (1 - p)", rtol=1e-12, atol=0)
    assert 0.6 < kept.mean() < 0.8, f"train: kept fraction {kept.mean():.3f} is far from 1 - p = {1 - p}"
    assert_close(x.grad, v * kept / (1 - p), "train: input gradient = v * mask / (1 - p)", rtol=1e-12, atol=0)

    # eval mode and the functional form with training=False: the identity
    m.eval()
    for name, fn in (("eval: Dropout module", m), ("eval: F.dropout(training=False)",
                                                   lambda t: impl.nn.functional.dropout(t, p, training=False))):
        x = impl.tensor(x0, requires_grad=True)
        out = fn(x)
        out.backward(impl.tensor(v))
        assert_close(out, x0, f"{name} output equals input", rtol=0, atol=0)
        assert_close(x.grad, v, f"{name} gradient equals the cotangent", rtol=0, atol=0)


def test_guard():
    guard()
