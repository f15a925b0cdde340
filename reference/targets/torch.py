"""torch as the library under test: the suite judging torch against itself. Every generic check must pass (torch
equals torch; its float64 gradients pass the finite differences), which keeps the checks honest: a check that fails
here is wrong, or has found a bug in torch itself (``known_failures``: the non-contiguous check found two)."""
from __future__ import annotations

import numpy as np

from reference.targets.base import Target

_VIEW_BUG = "RuntimeError 'view size is not compatible with input tensor's size and stride'"


class TorchTarget(Target):
    name = "torch"
    messages = False  # the error inputs' patterns are impl's messages; torch is judged by the exception class only
    known_divergences = False  # impl's documented divergences are not torch's: no exemptions
    # What the generic checks found in torch 2.13 itself: a non-contiguous input that torch's kernel reshapes with
    # .view() (the same op on a contiguous copy works, and so does impl's).
    known_failures = {
        ("test_noncontiguous_and_grad_mode", "take_along_dim_flat"):
            f"torch.take_along_dim without dim on a non-contiguous input raises {_VIEW_BUG} (torch 2.13)",
        ("test_noncontiguous_and_grad_mode", "F.max_unpool2d"):
            f"torch's max_unpool2d backward with non-contiguous indices raises {_VIEW_BUG} (torch 2.13)",
        **{("test_noncontiguous_and_grad_mode", name):
           "torch's nll_loss backward on a non-contiguous 4-D input raises RuntimeError 'grad_input must be "
           "contiguous' (torch 2.13): x = torch.randn(2, 3, 2, 2, dtype=torch.float64).transpose(0, 3).contiguous()"
           ".transpose(0, 3).requires_grad_(); F.nll_loss(x, torch.zeros(2, 2, 2, dtype=torch.long)).backward()"
           for name in ("F.nll_loss", "F.nll_loss_weighted")},
        # Tests without a spec are keyed by the test function and "" (property_tests/test_module_special.py).
        ("test_empty_bytes_roundtrip", ""):
            "torch.load (weights_only=True, the default) refuses an empty bytes object that torch.save wrote: "
            "buf = io.BytesIO(); torch.save(b'', buf); buf.seek(0); torch.load(buf) raises UnpicklingError "
            "'Unsupported global: GLOBAL bytes' (b'x' and bytearray() load; torch 2.13)",
        ("test_embedding_bag_scale_grad_by_freq_is_embeddings_rule", ""):
            "torch's CPU embedding_bag backward with scale_grad_by_freq divides by the wrong id's count once bags "
            "hold different ids: w = zeros(3, 1, requires_grad=True); F.embedding_bag(tensor([1, 0, 0, 0, 0, 2]), w, "
            "tensor([0, 3]), mode='sum', scale_grad_by_freq=True).backward(tensor([[1.], [0.]])) gives w.grad "
            "[0.5, 0.25, 0] where F.embedding's rule (each id's gradient over its count) gives [0.5, 1.0, 0] (torch 2.13)",
    }

    def __init__(self):
        import torch
        import torch.nn.functional  # noqa: F401
        import torch.optim  # noqa: F401

        self._torch = torch

    @property
    def lib(self):
        return self._torch

    def to_numpy(self, t) -> np.ndarray:
        t = t.detach()
        if t.dtype == self._torch.bfloat16:  # numpy has no bfloat16: its values exactly, as float32 (impl's storage)
            t = t.float()
        return t.cpu().numpy(force=True)  # force: a ZeroTensor (torch's symbolic zero) or a conjugate too

    def tensor_from_numpy(self, array, requires_grad=False):
        t = self._torch.from_numpy(np.array(array, copy=True))
        return t.requires_grad_(True) if requires_grad else t

    def is_tensor(self, x) -> bool:
        return isinstance(x, self._torch.Tensor)

    def wrap_numpy(self, array):
        if any(s < 0 for s in np.asarray(array).strides):
            return None  # torch.from_numpy refuses negative strides
        return self._torch.from_numpy(array)

    def shares_memory(self, a, b) -> bool:
        if not a.numel() or not b.numel():
            return False
        sa, sb = a.untyped_storage(), b.untyped_storage()
        return sa.data_ptr() == sb.data_ptr()


TARGET = TorchTarget
