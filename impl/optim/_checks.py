"""Argument checks shared by the optimizers (messages and exception classes as torch's)."""


def check_flags(name, differentiable=False, capturable=False):
    """foreach/fused only choose an implementation in torch, so impl accepts and records them; these two change
    the semantics (a differentiable update graph, CUDA-graph capture) and are not supported."""
    if differentiable:
        raise NotImplementedError(f"impl.optim.{name}: differentiable=True is not supported (updates run on numpy arrays)")
    if capturable:
        raise NotImplementedError(f"impl.optim.{name}: capturable=True is not supported (CPU only, no graph capture)")


def check_lr(lr):
    from .._tensor import Tensor

    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(what, value):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what} value: {value}")


def check_betas(betas):
    """Adam-family betas: each in [0, 1)."""
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
