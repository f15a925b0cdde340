"""092: einsum saved other tensors than torch's where a dimension has size 1.

**Symptom:** ``torch.einsum(",a->", s, v)`` with ``v`` of shape (1,), then ``v.mul_(2)`` and backward: torch raises
"one of the variables needed for gradient computation has been modified by an inplace operation", impl ran; and
``einsum("ij,j->i", m, v)`` with ``m`` of shape (2, 1) and ``v`` of shape (3,): torch runs after ``v`` is edited,
impl raised. The same in other equations with broadcast (size-1) dimensions and with three or more operands.

**Root cause:** impl summed every label an operand does not share before one matmul per operand, whatever its size;
torch's einsum counts for each summed label the operands where its size is not 1, sums it out of an operand only
when no other operand still has it with such a size, contracts it in the matmul of the pair that holds its last two
such occurrences, and multiplies a pair elementwise when it has nothing to contract. A size-1 dimension is not
summed first in torch, so the operand itself reaches the product (and is saved); a label broadcast against size 1
is summed first in torch, so the operand is not saved.

**Fix:** ``impl.ops.combine._contract_all`` and ``_sumproduct_pair`` follow torch's steps (the same sums, products
and operand layouts), so the same tensors reach the products.

**How this test catches it:** einsum equations with size-1 and broadcast dimensions, each operand modified in place
after the forward (values unchanged), then backward, in impl and torch: impl must raise iff torch does, and
otherwise give torch's gradients.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the einsum spec.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs on the einsum spec.
"""
import contextlib

import numpy as np

from impl.ops import combine
from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"torch (ran|raised at backward); impl (raised at backward|ran)"

CASES = [
    (",a->", [(), (1,)]),
    ("a,b->", [(3,), (1,)]),
    ("ij,j->i", [(2, 1), (3,)]),
    ("ab,bc->a", [(3, 2), (2, 1)]),
    ("a,a,a->", [(1,), (3,), (1,)]),
    ("i,j->", [(1,), (1,)]),
    ("bij,bjk->bik", [(2, 1, 3), (2, 3, 1)]),
]


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old rule: a dimension of size 1 counts as a real one (summed first when no other operand has the label)
    broken = rewrite_source(combine._nontrivial, ("return c in ls and t._data.shape[ls.index(c)] != 1",
                                                  "return c in ls"))
    with swap_function(combine._nontrivial, broken):
        yield


def guard():
    r = np.random.default_rng(5)
    for eq, shapes in CASES:
        arrays = [np.asarray(r.standard_normal(s)) for s in shapes]
        grad = tuple(range(len(arrays)))
        for k in grad:
            edit_after_forward_like_torch(lambda lib, *ops, eq=eq: lib.einsum(eq, *ops), arrays, k,
                                          f"einsum {eq!r} {shapes}: operand {k} modified in place", grad=grad)


def test_guard():
    guard()
