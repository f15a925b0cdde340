"""095: bfloat16 results came back float32 from ops that build a constant from the input's storage dtype.

**Symptom:** ``F.hinge_embedding_loss``, ``F.cosine_embedding_loss``, ``F.gaussian_nll_loss`` with a float ``var``,
``diagflat``, ``dist(x, y, 0)``, ``nanmean``, ``dropout`` (and ``alpha_dropout``, ``feature_alpha_dropout``,
``dropout2d``), ``rrelu`` in training, ``gumbel_softmax``, ``bernoulli``, ``pad_sequence``, ``embedding_bag`` and
``vector_to_parameters`` on bfloat16 tensors gave float32 tensors (torch: bfloat16), and so did the gradient of a
second backward pass through a node that saved nothing (``grad(x + x, x)`` twice) and SGD's momentum buffer of a
bfloat16 parameter.

**Root cause:** a bfloat16 tensor's storage is a float32 array (``impl._dtype.BFloat16Array``). These ops built a
mask, a count, a noise or a padding array with ``np.zeros(..., dtype=x.dtype)`` / ``.astype(x.dtype)`` -- the
storage's numpy dtype, float32 -- and combined it with the input as a tensor, so type promotion made the result
float32. (The released node's input shells, ``impl._autograd._Shell``, were such arrays too, and the engine casts
each gradient to its input's storage type; optimizer state buffers were copied with ``np.array``, which drops the
subclass.)

**Fix:** the constants are built in the tensor's dtype with ``impl._dtype.cast_array`` / ``full_array`` (the
``_const`` helper of ``impl.nn.functional.loss_extra``, ``impl.ops.extra.diagflat``, ``impl.ops.math`` nanmean and
the p=0 norm, the dropout family, ``rrelu``, ``gumbel_softmax``, ``bernoulli``, ``pad_sequence``, ``embedding_bag``,
``vector_to_parameters``, ``_Shell``, ``impl.optim.optimizer._new_state_tensor``).

**How this test catches it:** each op on bfloat16 inputs must return a bfloat16 tensor, as torch's does.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_low_precision.py::test_low_precision_forward``.

**Generic tests catch it too:** yes -- property_tests/test_low_precision.py::test_low_precision_forward.
"""
import contextlib

from impl.nn.functional import loss_extra
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"returned impl.float32"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(loss_extra._const, ("_dtype.cast_array(np.asarray(arr), like.dtype)",
                                                "np.asarray(arr, dtype=like._data.dtype)"))
    with swap_function(loss_extra._const, broken):
        yield


def _cases(lib):
    F = lib.nn.functional
    x = lib.tensor([[0.3, -0.7, 1.5], [2.0, -0.1, 0.4]]).to(lib.bfloat16)
    y = lib.tensor([[0.5, 0.2, -1.0], [1.0, 0.3, -0.4]]).to(lib.bfloat16)
    sign = lib.tensor([1.0, -1.0]).to(lib.bfloat16)
    lib.manual_seed(0)
    param = lib.nn.Parameter(x.clone())
    lib.nn.utils.vector_to_parameters(y.reshape(-1), [param])
    leaf = x.detach().requires_grad_()
    twice = (leaf + leaf).sum()
    lib.autograd.grad(twice, leaf)  # the second pass runs through the released node's input shells
    weight = lib.nn.Parameter(x.clone())
    sgd = lib.optim.SGD([weight], lr=0.1, momentum=0.9)
    (weight * weight).sum().backward()
    sgd.step()
    return {
        "SGD momentum_buffer": sgd.state[weight]["momentum_buffer"],
        "grad, second pass": lib.autograd.grad(twice, leaf)[0],
        "vector_to_parameters": param.detach(),
        "hinge_embedding_loss": F.hinge_embedding_loss(x, x.sign(), reduction="none"),
        "cosine_embedding_loss": F.cosine_embedding_loss(x, y, sign, reduction="none"),
        "gaussian_nll_loss(var=0.5)": F.gaussian_nll_loss(x, y, 0.5, reduction="none"),
        "diagflat": lib.diagflat(x),
        "dist(p=0)": lib.dist(x, y, 0),
        "nanmean": lib.nanmean(x, 1),
        "dropout": F.dropout(x, 0.5),
        "alpha_dropout": F.alpha_dropout(x, 0.5, training=True),
        "rrelu(training)": F.rrelu(x, training=True),
        "gumbel_softmax": F.gumbel_softmax(x),
        "bernoulli": lib.bernoulli(x.sigmoid()),
        "pad_sequence": lib.nn.utils.rnn.pad_sequence([x[0], x[1, :2]]),
        "embedding_bag": F.embedding_bag(lib.tensor([0, 1, 1]), x, lib.tensor([0, 2])),
    }


def guard():
    import torch

    import impl

    got, want = _cases(impl), _cases(torch)
    for name, t in want.items():
        assert str(got[name].dtype).split(".")[1] == str(t.dtype).split(".")[1], (
            f"{name} of bfloat16 inputs returned {got[name].dtype}, torch {t.dtype}")


def test_guard():
    guard()
