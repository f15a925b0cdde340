"""The view ops and the in-place ops, declared once as data, for the view x in-place differential test
(property_tests/test_view_inplace.py).

A ``ViewOp`` makes one view of a tensor: ``applies(shape)`` says whether it can, ``params(shape)`` is a hypothesis
strategy for its arguments, and ``make(x, p)`` calls it with Tensor methods only, so that one lambda runs on torch
and on the library under test alike. Ops returning several views (unbind, split, chunk) pick one of them
(``multi=True``): torch refuses in-place autograd on those. An ``InplaceOp`` modifies its target: ``make(lib, t, o,
p)`` with ``o`` a tensor operand shaped like the target (a leaf that may require grad) when ``operand`` is set.

Not here: ``as_strided`` and ``unfold`` (impl has neither), ``view(dtype)`` (a reinterpretation, not a shape view).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class ViewOp:
    name: str
    make: Callable[[Any, Any], Any]
    params: Callable[[tuple], Any] = lambda shape: st.none()
    applies: Callable[[tuple], bool] = lambda shape: True
    multi: bool = False


@dataclass(frozen=True)
class InplaceOp:
    name: str
    make: Callable[..., Any]  # make(lib, t, o, p): o is the operand tensor (or None), p the drawn parameters
    params: Callable[[tuple], Any] = lambda shape: st.none()
    operand: bool = False  # takes a tensor operand shaped like the target
    applies: Callable[[tuple], bool] = lambda shape: True


def _dim(shape):
    return st.integers(-len(shape), len(shape) - 1)


def _nd(lo, hi=9):
    return lambda shape: lo <= len(shape) <= hi


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _new_shapes(shape):
    """Shapes with the same number of elements: all merged, a unit dim added, the first two dims merged, -1."""
    n = _numel(shape)
    options = [(n,), (-1,), (1, *shape), (*shape, 1)]
    if len(shape) >= 2:
        options.append((shape[0] * shape[1], *shape[2:]))
        options.append((-1, *shape[2:]))
    return st.sampled_from(options)


def _unflatten_params(shape):
    return _dim(shape).flatmap(lambda d: st.sampled_from([(d, (1, shape[d])), (d, (shape[d], 1)), (d, (-1, 1))]))


def _slice(n):
    return st.tuples(st.integers(-n, n), st.integers(-n, n), st.sampled_from([None, 1, 2])).map(
        lambda t: slice(t[0], t[1], t[2]))


def _basic_index(shape):
    """A tuple of basic indices (ints, slices, None, Ellipsis) for ``shape``: a view in torch and impl."""
    per_dim = [st.one_of(st.integers(-n, n - 1), _slice(n)) for n in shape]
    return st.tuples(*per_dim).flatmap(lambda idx: st.sampled_from([
        idx,
        idx[:1],
        (None, *idx),
        (Ellipsis, *idx[1:]),
    ]))


def _narrow_params(shape):
    return _dim(shape).flatmap(lambda d: st.integers(0, shape[d]).flatmap(
        lambda start: st.tuples(st.just(d), st.just(start), st.integers(0, shape[d] - start))))


def _expand_params(shape):
    """Unit dims expanded to 2 and/or a new leading dim: repeated memory (read-only in torch for most writes)
    or not (unit dims only added)."""
    grow = tuple(2 if s == 1 else s for s in shape)
    return st.sampled_from([(1, *shape), (2, *shape), grow, (-1, *shape), (1, *grow)])


def _diagonal_params(shape):
    nd = len(shape)
    pairs = [(a, b) for a in range(nd) for b in range(nd) if a != b]
    return st.tuples(st.integers(-2, 2), st.sampled_from(pairs))


VIEW_OPS = (
    ViewOp("view", lambda x, p: x.view(p), _new_shapes),
    ViewOp("reshape", lambda x, p: x.reshape(p), _new_shapes),
    ViewOp("view_as", lambda x, p: x.view_as(x.detach().reshape(p)), lambda shape: st.just((_numel(shape),))),
    ViewOp("flatten", lambda x, p: x.flatten(*p), lambda shape: st.tuples(_dim(shape), _dim(shape)).map(sorted)
           .map(lambda ab: tuple(ab)), _nd(1)),
    ViewOp("unflatten", lambda x, p: x.unflatten(*p), _unflatten_params, _nd(1)),
    ViewOp("transpose", lambda x, p: x.transpose(*p), lambda shape: st.tuples(_dim(shape), _dim(shape)), _nd(1)),
    ViewOp("swapaxes", lambda x, p: x.swapaxes(*p), lambda shape: st.tuples(_dim(shape), _dim(shape)), _nd(1)),
    ViewOp("permute", lambda x, p: x.permute(tuple(p)), lambda shape: st.permutations(range(len(shape)))),
    ViewOp("movedim", lambda x, p: x.movedim(*p), lambda shape: st.tuples(_dim(shape), _dim(shape)), _nd(1)),
    ViewOp("t", lambda x, p: x.t(), applies=_nd(0, 2)),
    ViewOp("T", lambda x, p: x.T, applies=_nd(0, 2)),  # torch deprecates .T on other ranks
    ViewOp("mT", lambda x, p: x.mT, applies=_nd(2)),
    ViewOp("getitem", lambda x, p: x[p], _basic_index, _nd(1)),
    ViewOp("select", lambda x, p: x.select(*p), lambda shape: _dim(shape).flatmap(
        lambda d: st.tuples(st.just(d), st.integers(-shape[d], shape[d] - 1))), _nd(1)),
    ViewOp("narrow", lambda x, p: x.narrow(*p), _narrow_params, _nd(1)),
    ViewOp("squeeze", lambda x, p: x.squeeze() if p is None else x.squeeze(p),
           lambda shape: st.one_of(st.none(), _dim(shape)) if shape else st.none()),
    ViewOp("unsqueeze", lambda x, p: x.unsqueeze(p), lambda shape: st.integers(-len(shape) - 1, len(shape))),
    ViewOp("expand", lambda x, p: x.expand(p), _expand_params),
    ViewOp("diagonal", lambda x, p: x.diagonal(p[0], *p[1]), _diagonal_params, _nd(2)),
    ViewOp("unbind", lambda x, p: x.unbind(p[0])[p[1]], lambda shape: _dim(shape).flatmap(
        lambda d: st.tuples(st.just(d), st.integers(0, shape[d] - 1))), _nd(1), multi=True),
    ViewOp("split", lambda x, p: x.split(p[0], p[1])[p[2]], lambda shape: _dim(shape).flatmap(
        lambda d: st.integers(1, shape[d]).flatmap(lambda size: st.tuples(
            st.just(size), st.just(d), st.integers(0, -(-shape[d] // size) - 1)))), _nd(1), multi=True),
    ViewOp("chunk", lambda x, p: x.chunk(p[0], p[1])[0], lambda shape: st.tuples(st.integers(1, 3), _dim(shape)),
           _nd(1), multi=True),
)


def _mask(shape):
    return st.lists(st.booleans(), min_size=_numel(shape), max_size=_numel(shape))


def _first_dim_slice(shape):
    return _slice(shape[0]) if shape else st.just(Ellipsis)


def _bool_mask(lib, t, p):
    """A boolean mask tensor of ``lib`` shaped like ``t`` from the drawn list of booleans."""
    import numpy as np

    return lib.from_numpy(np.array(p, dtype=bool).reshape(tuple(t.shape)))


INPLACE_OPS = (
    InplaceOp("add_scalar", lambda lib, t, o, p: t.add_(1.5)),
    InplaceOp("add_tensor_alpha", lambda lib, t, o, p: t.add_(o, alpha=2), operand=True),
    InplaceOp("sub_", lambda lib, t, o, p: t.sub_(o), operand=True),
    InplaceOp("mul_scalar", lambda lib, t, o, p: t.mul_(3.0)),
    InplaceOp("mul_tensor", lambda lib, t, o, p: t.mul_(o), operand=True),
    InplaceOp("div_", lambda lib, t, o, p: t.div_(2.0)),
    InplaceOp("iadd", lambda lib, t, o, p: t.__iadd__(o), operand=True),  # what `t += o` calls
    InplaceOp("imul", lambda lib, t, o, p: t.__imul__(o), operand=True),
    InplaceOp("zero_", lambda lib, t, o, p: t.zero_()),
    InplaceOp("fill_", lambda lib, t, o, p: t.fill_(0.75)),
    InplaceOp("copy_", lambda lib, t, o, p: t.copy_(o), operand=True),
    InplaceOp("clamp_", lambda lib, t, o, p: t.clamp_(-0.5, 0.5)),
    InplaceOp("relu_", lambda lib, t, o, p: t.relu_()),
    InplaceOp("neg_", lambda lib, t, o, p: t.neg_()),
    InplaceOp("exp_", lambda lib, t, o, p: t.exp_()),
    InplaceOp("pow_", lambda lib, t, o, p: t.pow_(2)),
    InplaceOp("masked_fill_", lambda lib, t, o, p: t.masked_fill_(_bool_mask(lib, t, p), -1.5), _mask),
    InplaceOp("setitem_slice", lambda lib, t, o, p: t.__setitem__(p, 2.0), _first_dim_slice),
    InplaceOp("setitem_int", lambda lib, t, o, p: t.__setitem__(p, o[p]), lambda shape: st.integers(0, shape[0] - 1),
              operand=True, applies=lambda shape: len(shape) >= 1 and shape[0] >= 1),
    InplaceOp("setitem_tensor_slice", lambda lib, t, o, p: t.__setitem__(p, o[p]), _first_dim_slice, operand=True),
    InplaceOp("setitem_ellipsis", lambda lib, t, o, p: t.__setitem__(Ellipsis, o), operand=True),
    InplaceOp("setitem_bool", lambda lib, t, o, p: t.__setitem__(_bool_mask(lib, t, p), 2.5), _mask),
)
