"""impl.autograd: torch.autograd's functional entry points."""
from ._autograd import Node, enable_grad, grad, no_grad, set_grad_enabled  # noqa: F401


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    from ._tensor import Tensor

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    from ._autograd import _seed, run_backward

    from ._autograd import _accumulate_leaf, _accumulate_leaf_graph

    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed(t, g, "grad", create_graph) for t, g in zip(tensors, grad_tensors)]
    if inputs is None:
        run_backward(tensors, seeds, retain_graph=bool(retain_graph), create_graph=create_graph)
        return
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    grads = run_backward(tensors, seeds, retain_graph=bool(retain_graph), inputs=inputs, create_graph=create_graph)
    for t, g in zip(inputs, grads):
        if g is not None:
            (_accumulate_leaf_graph(t, g) if create_graph else _accumulate_leaf(t, g._data))
