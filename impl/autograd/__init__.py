"""impl.autograd: torch.autograd's entry points (``grad``, ``backward``), ``functional`` and ``forward_ad``."""
from .._autograd import (  # noqa: F401
    Node,
    _accumulate_leaf,
    _accumulate_leaf_graph,
    _seed,
    enable_grad,
    grad,
    inference_mode,
    no_grad,
    run_backward,
    set_grad_enabled,
)
from .._tensor import Tensor


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """torch.autograd.backward: accumulate the gradients of ``tensors`` into the leaves' (or ``inputs``') ``.grad``."""
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph  # torch's default
    seeds = [_seed(t, g, "grad", create_graph) for t, g in zip(tensors, grad_tensors)]
    if inputs is None:
        run_backward(tensors, seeds, retain_graph=bool(retain_graph), create_graph=create_graph)
        return
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    grads = run_backward(tensors, seeds, retain_graph=bool(retain_graph), inputs=inputs, create_graph=create_graph)
    for t, g in zip(inputs, grads):
        if g is not None:
            if create_graph:
                _accumulate_leaf_graph(t, g)
            else:
                _accumulate_leaf(t, g._data)


from . import forward_ad, functional  # noqa: E402,F401  (they use grad/backward above)
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402,F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: E402,F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402,F401
