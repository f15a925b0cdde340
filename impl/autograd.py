"""impl.autograd: torch.autograd's functional entry points."""
from ._autograd import Node, enable_grad, grad, no_grad, set_grad_enabled  # noqa: F401


def backward(tensors, grad_tensors=None, retain_graph=None):
    from ._tensor import Tensor

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    from ._autograd import _seed, run_backward

    seeds = [_seed(t, g, "grad") for t, g in zip(tensors, grad_tensors)]
    run_backward(tensors, seeds, retain_graph=bool(retain_graph))
