"""Module dtype conversions (half, bfloat16, float, double, to(dtype), to(tensor), type) and Tensor.to/type
arguments, against torch on twin models.

A small model (Embedding -> Linear -> BatchNorm1d) with gradients present is converted in the library under test
(reference.targets) and in torch; what
must agree: the call returns the module itself and keeps its Parameter objects (optimizers hold them), the
state_dict's dtypes (integer buffers such as num_batches_tracked untouched) and values (conversion is exact, so
bit for bit), the gradients' dtypes and values, and the forward output in the new dtype.
"""
import numpy as np
import pytest
import torch

from reference import targets
from reference.low_precision import EPS, is_oracle, within
from reference.low_precision import tensor_f64 as _f64

TARGET = targets.current()
LIB = TARGET.lib

IDX = [0, 1, 2, 4, 1, 3]
# eps of each floating dtype, for the forward comparison
EPS_OF = {**EPS, "float32": 2.0**-23, "float64": 2.0**-52}
# Forward output of the converted twins, against torch's in the same dtype: |target - torch| <= k eps (|torch| +
# max|torch|). Both round each layer's output once (float32 accumulation for float16/bfloat16, as torch's CPU kernels)
# but may sum in different orders: impl measured within k = 1 in every dtype; 2 leaves room for one rounding apart.
# Torch as the target runs the same kernels on the same values: bit for bit (k = 0).
K_FORWARD = 0.0 if is_oracle(TARGET) else 2.0


def _build(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5, 4)
            self.lin = nn.Linear(4, 3)
            self.bn = nn.BatchNorm1d(3)

        def forward(self, i):
            return self.bn(self.lin(self.emb(i)))

    return Net()


def _twins():
    torch.manual_seed(0)
    t = _build(torch)
    with torch.no_grad():  # non-trivial running statistics and affine parameters
        t.bn.running_mean.uniform_(-1, 1)
        t.bn.running_var.uniform_(0.5, 2)
        t.bn.weight.uniform_(0.5, 1.5)
        t.bn.bias.uniform_(-1, 1)
        t.bn.num_batches_tracked.fill_(3)
    t(torch.tensor(IDX)).pow(2).sum().backward()  # gradients present before the conversion
    i = _build(LIB)  # holding exactly torch's values (its running statistics updated once, its gradients)
    i.load_state_dict({k: TARGET.tensor_from_numpy(v.numpy()) for k, v in t.state_dict().items()})
    for pi, pt in zip(i.parameters(), t.parameters()):
        pi.grad = TARGET.tensor_from_numpy(pt.grad.numpy())
    return i, t


def _name(d):
    return str(d).split(".")[-1]


CONVERSIONS = {
    "half": lambda lib, m: m.half(),
    "bfloat16": lambda lib, m: m.bfloat16(),
    "double": lambda lib, m: m.double(),
    "half_then_float": lambda lib, m: m.half().float(),
    "to(float16)": lambda lib, m: m.to(lib.float16),
    "to(dtype=bfloat16)": lambda lib, m: m.to(dtype=lib.bfloat16),
    "to('cpu', float64)": lambda lib, m: m.to("cpu", lib.float64),
    "to(bfloat16 tensor)": lambda lib, m: m.to(lib.zeros(1, dtype=lib.bfloat16)),
    "type(float16)": lambda lib, m: m.type(lib.float16),
    "type('torch.DoubleTensor')": lambda lib, m: m.type("torch.DoubleTensor"),
}


@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_module_conversion_matches_torch(name):
    mi, mt = _twins()
    params_before = [p for _, p in mi.named_parameters()]
    for m, lib in ((mi, LIB), (mt, torch)):
        assert CONVERSIONS[name](lib, m) is m, f"{name}: does not return the module itself"
    params_after = [p for _, p in mi.named_parameters()]
    assert len(params_after) == len(params_before) and all(a is b for a, b in zip(params_before, params_after)), (
        f"{name}: Parameter objects replaced (torch keeps them and swaps their data)")
    sd_i, sd_t = mi.state_dict(), mt.state_dict()
    assert list(sd_i) == list(sd_t)
    for k in sd_t:
        assert _name(sd_i[k].dtype) == _name(sd_t[k].dtype), f"{name}: {k} is {sd_i[k].dtype}, torch {sd_t[k].dtype}"
        assert np.array_equal(_f64(sd_i[k]), _f64(sd_t[k])), f"{name}: {k} values differ from torch's conversion"
    for (k, pi), (_, pt) in zip(mi.named_parameters(), mt.named_parameters()):
        assert _name(pi.grad.dtype) == _name(pt.grad.dtype), f"{name}: {k}.grad is {pi.grad.dtype}, torch {pt.grad.dtype}"
        assert np.array_equal(_f64(pi.grad), _f64(pt.grad)), f"{name}: {k}.grad values differ from torch's"
    dt = _name(sd_t["lin.weight"].dtype)
    for train in (True, False):
        mi.train(train)
        mt.train(train)
        with torch.no_grad(), LIB.no_grad():
            yi, yt = mi(LIB.tensor(IDX)), mt(torch.tensor(IDX))
        assert _name(yi.dtype) == _name(yt.dtype) == dt
        ok, worst = within(_f64(yi), _f64(yt), K_FORWARD, EPS_OF[dt])
        assert ok.all(), f"{name} (train={train}): forward in {dt} off torch's by {worst:.3g}x {K_FORWARD} ulps"


@pytest.mark.parametrize("make", [lambda lib: lib.int64, lambda lib: lib.zeros(1, dtype=lib.int32)], ids=["int64", "int tensor"])
def test_module_to_integer_dtype_raises_as_torch(make):
    messages = []
    for lib in (LIB, torch):
        with pytest.raises(TypeError) as e:
            _build(lib).to(make(lib))
        messages.append(str(e.value).replace(f"{lib.__name__}.", "torch."))
    if TARGET.messages:  # a library that promises torch's messages (impl) names the dtype as torch does
        assert messages[0] == messages[1]


DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")


def test_tensor_to_and_type_arguments():
    """Every way of naming the target dtype gives torch's result, for every pair of dtypes."""
    vals = [1.5, -2.25, 0.0, 3.0]
    checked = 0
    for src in DTYPES:
        xi, xt = LIB.tensor(vals).to(getattr(LIB, src)), torch.tensor(vals).to(getattr(torch, src))
        assert xi.type() == xt.type().replace("torch.", f"{LIB.__name__}.")
        for dst in DTYPES:
            di, dt = getattr(LIB, dst), getattr(torch, dst)
            ways = {
                "to(dtype)": (xi.to(di), xt.to(dt)),
                "to(dtype=)": (xi.to(dtype=di), xt.to(dtype=dt)),
                "to(tensor)": (xi.to(LIB.zeros(1, dtype=di)), xt.to(torch.zeros(1, dtype=dt))),
                "to('cpu', dtype)": (xi.to("cpu", di), xt.to("cpu", dt)),
                "type(dtype)": (xi.type(di), xt.type(dt)),
                "type(name)": (xi.type(torch.zeros(1, dtype=dt).type()), xt.type(torch.zeros(1, dtype=dt).type())),
            }
            for way, (gi, gt) in ways.items():
                assert _name(gi.dtype) == dst, f"{src}.{way} -> {dst}: {TARGET.name} {gi.dtype}"
                assert np.array_equal(_f64(gi), _f64(gt)), f"{src}.{way} -> {dst}: values differ from torch's"
                assert (gi is xi) == (gt is xt), f"{src}.{way} -> {dst}: a copy where torch returns self or back"
                checked += 1
    assert checked == len(DTYPES) ** 2 * 6
    for lib in (LIB, torch):  # torch's message; for the target only where it promises torch's messages
        with pytest.raises(ValueError, match="invalid type: 'HalfTensor'" if lib is torch or TARGET.messages else None):
            lib.ones(2).type("HalfTensor")
