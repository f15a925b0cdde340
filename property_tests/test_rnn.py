"""The recurrent layers of the library under test (impl's by default; reference.targets) beyond the module template,
and its nn.utils.rnn, against torch.

The layers' and cells' twin comparisons (outputs, final states, every gradient, PackedSequence inputs, state_dict,
repr, double()/float()) are ModuleSpecs (reference/module_specs/rnn.py) run by property_tests/test_module_template.py;
dropout between layers is in property_tests/test_module_special.py. Here: all_weights, default initialisation,
the dtype argument and conversion, errors with torch's exception classes, pad_sequence / pack_padded_sequence /
pad_packed_sequence / pack_sequence / unpack_sequence with their gradients, second derivatives through the layers,
the fused recurrence against its composite, and a model twin: an LSTM classifier over packed variable-length
sequences whose logits, gradients and 10 Adam steps equal torch's.

Tolerances: torch.testing.assert_close defaults (float64 rtol 1e-7 atol 1e-7, never judged). In float32, torch in
float64 on the same weights and inputs judges elements where impl and torch float32 differ beyond the default
(``reference.twins.assert_close_judged`` with the rounding-perturbed noise floor).
"""
import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import targets
from reference.conversion import to_numpy
from reference.module_twins import TORCH, flatten, target_lib
from reference.opspec import DEFAULT_TOL
from reference.samples import fraction
from reference.twins import assert_close, copy_state_dict

pytestmark = [pytest.mark.modules,
              # torch float32 LSTMs run on oneDNN except with a projection, where torch says so once per process
              pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")]

TOL = DEFAULT_TOL
NP = {"float32": np.float32, "float64": np.float64}
T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
LIB = target_lib()  # what the build/call functions take (as TORCH): nn, F, rnn, top
dtypes = st.sampled_from(["float32", "float64"])


def examples(n):
    """``n`` per 25 of the active profile's examples, at least 2 (reference.samples.fraction)."""
    return fraction(n, at_least=2)


def run_function_twins(arrays, dtype, call, seed, what):
    """``call(L, tensors)`` on the library under test and on torch with the same inputs (float arrays cast to
    ``dtype``, all requiring grad): every output (a PackedSequence counts as its data), then with the same random
    cotangents every input gradient, at assert_close's defaults. Returns the number of tensor comparisons."""
    tol = TOL[dtype]
    arrays = [np.asarray(a).astype(NP[dtype]) for a in arrays]
    tx = [torch.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
    lx = [T.tensor_from_numpy(a, requires_grad=True) for a in arrays]
    tout, lout = flatten(call(TORCH, tx)), flatten(call(LIB, lx))
    assert len(lout) == len(tout), f"[{what}] number of outputs: {T.name} {len(lout)} vs torch {len(tout)}"
    rng = np.random.default_rng(seed)
    cots = [rng.normal(size=tuple(t.shape)).astype(NP[dtype]) for t in tout]
    for k, (a, b) in enumerate(zip(lout, tout)):
        assert_close(a, b, **tol, what=f"{what} output {k}")
    torch.autograd.backward(tout, [torch.from_numpy(c) for c in cots])
    lib.autograd.backward(lout, [T.tensor_from_numpy(c) for c in cots])
    for i, (a, b) in enumerate(zip(lx, tx)):
        assert_close(a.grad, b.grad, **tol, what=f"{what} grad of input {i}")
    return len(tout) + len(tx)


KINDS = {"RNN_TANH": ("RNN", dict(nonlinearity="tanh")), "RNN_RELU": ("RNN", dict(nonlinearity="relu")),
         "LSTM": ("LSTM", {}), "GRU": ("GRU", {})}


@st.composite
def rnn_config(draw):
    kind = draw(st.sampled_from(list(KINDS)))
    hidden = draw(st.integers(1, 4))
    proj = draw(st.integers(0, hidden - 1)) if kind == "LSTM" and hidden > 1 and draw(st.booleans()) else 0
    return dict(kind=kind, input_size=draw(st.integers(1, 4)), hidden=hidden, proj=proj,
                layers=draw(st.integers(1, 3)), bidirectional=draw(st.booleans()), batch_first=draw(st.booleans()),
                bias=draw(st.booleans()), seq=draw(st.sampled_from([1, 1, 2, 3, 5])),
                batch=draw(st.sampled_from([None, 1, 1, 2, 3])), with_state=draw(st.booleans()))


def _build(c):
    cls, extra = KINDS[c["kind"]]
    kw = dict(num_layers=c["layers"], bias=c["bias"], batch_first=c["batch_first"], bidirectional=c["bidirectional"],
              **extra)
    if c["proj"]:
        kw["proj_size"] = c["proj"]
    return lambda L: getattr(L.nn, cls)(c["input_size"], c["hidden"], **kw)














# ---- dropout between layers ------------------------------------------------------------------------------------


def test_dropout_with_one_layer_warns_as_torch():
    for nn in (torch.nn, lib.nn):
        with pytest.warns(UserWarning, match=r"dropout option adds dropout after all but last recurrent layer.*"
                                             r"dropout=0.5 and num_layers=1"):
            nn.LSTM(2, 3, dropout=0.5)


# ---- construction: state_dict, init, repr ----------------------------------------------------------------------
@settings(max_examples=examples(20))
@given(rnn_config())
def test_all_weights_match_torch(c):
    """all_weights: per layer and direction, the parameter shapes in torch's order (state_dict, names and repr are
    the module template's: property_tests/test_module_template.py)."""
    t, i = _build(c)(TORCH), _build(c)(LIB)
    assert [[tuple(p.shape) for p in layer] for layer in i.all_weights] == \
           [[tuple(p.shape) for p in layer] for layer in t.all_weights]


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_default_init_is_uniform_within_one_over_sqrt_hidden(cls):
    """torch's reset_parameters: every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden)): bounds, mean and
    variance (bound^2 / 3) over the ~37,000 values of a 48-unit layer, within 5 standard errors."""
    lib.manual_seed(0)
    hidden = 48
    m = getattr(lib.nn, cls)(16, hidden, **({"num_layers": 2} if cls in ("RNN", "LSTM", "GRU") else {}))
    vals = np.concatenate([to_numpy(p).ravel() for p in m.parameters()]).astype(np.float64)
    bound = 1 / math.sqrt(hidden)
    assert vals.min() >= -bound and vals.max() <= bound
    n = vals.size
    assert abs(vals.mean()) < 5 * bound / math.sqrt(3 * n)
    var = bound**2 / 3
    assert abs(vals.var() - var) < 5 * var * math.sqrt(0.8 / n)  # Var of U's sample variance: (4/5) var^2 / n
    assert all(p.dtype == lib.float32 and p.requires_grad for p in m.parameters())


def test_conversion_and_dtype_argument():
    m = lib.nn.LSTM(2, 3, num_layers=2, proj_size=1, dtype=lib.float64)
    assert all(p.dtype == lib.float64 for p in m.parameters())
    out, (h, c) = m.float()(lib.randn(4, 2))
    assert out.dtype == h.dtype == c.dtype == lib.float32
    assert tuple(out.shape) == (4, 1) and tuple(h.shape) == (2, 1) and tuple(c.shape) == (2, 3)


# ---- errors ----------------------------------------------------------------------------------------------------
def _e(build, call, exc, pattern):
    # the id without the pattern's regex escapes: pytest reports a backslash in an id doubled, and a node id given
    # back to it on the command line (as mutmut's per-mutant runs do) then matches nothing
    return pytest.param(build, call, exc, pattern, id=re.sub(r"\\(.)", r"\1", pattern)[:40])


ERRORS = [
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(5, 2, 3)), RuntimeError,
       r"input.size\(-1\) must be equal to input_size. Expected 4, got 3"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(5, 2, 4), (L.top.zeros(1, 3, 3), L.top.zeros(1, 2, 3))),
       RuntimeError, r"Expected hidden\[0\] size \(1, 2, 3\), got \[1, 3, 3\]"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(5, 2, 4), (L.top.zeros(1, 2, 3), L.top.zeros(1, 2, 2))),
       RuntimeError, r"Expected hidden\[1\] size \(1, 2, 3\), got \[1, 2, 2\]"),
    _e(lambda L: L.nn.GRU(4, 3, num_layers=2), lambda L, m: m(L.top.randn(5, 2, 4), L.top.zeros(1, 2, 3)),
       RuntimeError, r"Expected hidden size \(2, 2, 3\), got \[1, 2, 3\]"),
    _e(lambda L: L.nn.RNN(4, 3), lambda L, m: m(L.top.randn(5, 2, 4, 1)), ValueError,
       r"RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(4)), ValueError,
       r"LSTM: Expected input to be 2D or 3D, got 1D instead"),
    _e(lambda L: L.nn.GRU(4, 3), lambda L, m: m(L.top.randn(5, 4), L.top.zeros(1, 1, 3)), RuntimeError,
       r"For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    _e(lambda L: L.nn.RNN(4, 3), lambda L, m: m(L.top.randn(5, 1, 4), L.top.zeros(1, 3)), RuntimeError,
       r"For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(5, 1, 4), (L.top.zeros(1, 3), L.top.zeros(1, 3))),
       RuntimeError, r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 2-D\) tensors"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(5, 1, 4, dtype=L.top.float64)), ValueError,
       r"RNN input dtype \(.*float64\) does not match weight dtype \(.*float32\)"),
    _e(lambda L: L.nn.LSTM(4, 3), lambda L, m: m(L.top.randn(0, 1, 4)), RuntimeError,
       r"Expected sequence length to be larger than 0 in RNN"),
    _e(lambda L: L.nn.RNNCell(4, 3), lambda L, m: m(L.top.randn(2, 5)), RuntimeError,
       r"input has inconsistent input_size: got 5 expected 4"),
    _e(lambda L: L.nn.RNNCell(4, 3), lambda L, m: m(L.top.randn(2, 4), L.top.zeros(3, 3)), RuntimeError,
       r"Input batch size 2 doesn't match hidden0 batch size 3"),
    _e(lambda L: L.nn.GRUCell(4, 3), lambda L, m: m(L.top.randn(2, 4), L.top.zeros(2, 4)), RuntimeError,
       r"hidden0 has inconsistent hidden_size: got 4, expected 3"),
    _e(lambda L: L.nn.LSTMCell(4, 3), lambda L, m: m(L.top.randn(2, 4), (L.top.zeros(2, 3), L.top.zeros(3, 3))),
       RuntimeError, r"Input batch size 2 doesn't match hidden1 batch size 3"),
    _e(lambda L: L.nn.LSTMCell(4, 3), lambda L, m: m(L.top.randn(2, 4, 1)), ValueError,
       r"LSTMCell: Expected input to be 1D or 2D, got 3D instead"),
    _e(lambda L: L.nn.GRUCell(4, 3), lambda L, m: m(L.top.randn(4), L.top.zeros(1, 1, 3)), ValueError,
       r"GRUCell: Expected hidden to be 1D or 2D, got 3D instead"),
    _e(lambda L: L.nn.RNN(4, 3, nonlinearity="gelu"), None, ValueError,
       r"Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'."),
    _e(lambda L: L.nn.GRU(4, 3, proj_size=1), None, ValueError,
       r"proj_size argument is only supported for LSTM, not RNN or GRU"),
    _e(lambda L: L.nn.LSTM(4, 3, proj_size=3), None, ValueError, r"proj_size has to be smaller than hidden_size"),
    _e(lambda L: L.nn.LSTM(4, 3, dropout=1.5), None, ValueError, r"dropout should be a number in range \[0, 1\]"),
    _e(lambda L: L.nn.LSTM(4, 0), None, ValueError, r"hidden_size must be greater than zero"),
    _e(lambda L: L.nn.LSTM(4, 3, num_layers=0), None, ValueError, r"num_layers must be greater than zero"),
    _e(lambda L: L.nn.LSTM(4.0, 3), None, TypeError, r"input_size should be of type int, got: float"),
    _e(lambda L: L.nn.GRU(4, 3.0), None, TypeError, r"hidden_size should be of type int, got: float"),
    _e(lambda L: L.nn.LSTM(4, 3, bias=1), None, TypeError, r"bias should be of type bool, got: int"),
    _e(lambda L: None, lambda L, m: L.rnn.pack_padded_sequence(L.top.zeros(5, 3, 2), [2, 5, 3]), RuntimeError,
       r"`lengths` array must be sorted in decreasing order when `enforce_sorted` is True"),
    _e(lambda L: None, lambda L, m: L.rnn.pack_padded_sequence(L.top.zeros(5, 3, 2), [5, 3, 0]), RuntimeError,
       r"Length of all samples has to be greater than 0"),
    _e(lambda L: None, lambda L, m: L.rnn.pack_padded_sequence(L.top.zeros(5, 3, 2), [5, 3]), RuntimeError,
       r"Expected `len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3\)"),
    _e(lambda L: None, lambda L, m: L.rnn.pad_packed_sequence(
        L.rnn.pack_padded_sequence(L.top.zeros(5, 3, 2), [5, 3, 1]), total_length=3), ValueError,
       r"Expected total_length to be at least the length of the longest sequence in input, but got "
       r"total_length=3 and max sequence length being 5"),
    _e(lambda L: None, lambda L, m: L.rnn.pad_sequence([]), RuntimeError, r"received an empty list of sequences"),
    _e(lambda L: None, lambda L, m: L.rnn.pad_sequence([L.top.zeros(2), L.top.zeros(3)], padding_side="middle"),
       RuntimeError, r"Expected padding_side to be one of left or right, but got middle."),
    _e(lambda L: None, lambda L, m: L.rnn.pad_sequence([L.top.zeros(2, 3), L.top.zeros(3, 4)]), RuntimeError,
       r"pad_sequence: every sequence must have the trailing shape \(3,\)"),
]


@pytest.mark.parametrize("build, call, exc, pattern", ERRORS)
def test_errors_as_torch(build, call, exc, pattern):
    """Torch raises the same exception class on the same input; impl's message matches ``pattern`` (checked where
    the target promises impl's messages)."""
    for L in (TORCH, LIB):
        with pytest.raises(exc) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = build(L)
            if call is not None:
                call(L, m)
        if L is LIB and T.messages:
            assert re.search(pattern, str(info.value)), f"{T.name}'s message {str(info.value)!r} !~ {pattern!r}"


# ---- nn.utils.rnn ----------------------------------------------------------------------------------------------
@settings(max_examples=examples(25))
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.lists(st.integers(1, 3), max_size=2), st.booleans(),
       st.sampled_from(["right", "left"]), st.sampled_from([0.0, -1.5]), dtypes, st.integers(0, 2**16))
def test_pad_sequence_matches_torch(lengths, feat, batch_first, side, value, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=(n, *feat)) for n in lengths]
    call = lambda L, xs: L.rnn.pad_sequence(xs, batch_first=batch_first, padding_value=value,  # noqa: E731
                                            padding_side=side)
    assert run_function_twins(arrays, dtype, call, seed, what=f"pad_sequence {lengths} {side}") == 1 + len(arrays)


@settings(max_examples=examples(25))
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.lists(st.integers(1, 3), max_size=2), st.booleans(),
       st.booleans(), st.sampled_from([None, 0, 2]), dtypes, st.integers(0, 2**16))
def test_pack_and_pad_round_trip_match_torch(lengths, feat, batch_first, enforce_sorted, extra, dtype, seed):
    """pack_padded_sequence -> (data) and pad_packed_sequence (padding_value, total_length) -> padded, with the
    gradient of the padded input (zero at the padding), and pack_sequence / unpack_sequence."""
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    rng = np.random.default_rng(seed)
    t_max, b = max(lengths), len(lengths)
    x = rng.normal(size=(b, t_max, *feat) if batch_first else (t_max, b, *feat))
    total = None if extra is None else t_max + extra

    def call(L, xs):
        packed = L.rnn.pack_padded_sequence(xs[0], lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        padded, lens = L.rnn.pad_packed_sequence(packed, batch_first=batch_first, padding_value=7.0,
                                                 total_length=total)
        assert lens.tolist() == list(lengths) and str(lens.dtype).endswith("int64")
        return packed.data, padded

    assert run_function_twins([x], dtype, call, seed, what=f"pack/pad {lengths}") == 3
    seqs = [rng.normal(size=(n, *feat)) for n in lengths]
    seq_call = lambda L, xs: (L.rnn.pack_sequence(xs, enforce_sorted=enforce_sorted).data,  # noqa: E731
                              *L.rnn.unpack_sequence(L.rnn.pack_sequence(xs, enforce_sorted=enforce_sorted)))
    assert run_function_twins(seqs, dtype, seq_call, seed, what=f"pack_sequence {lengths}") == 1 + 2 * len(seqs)


def test_unsorted_equal_lengths_keep_torch_order():
    """Equal lengths: the sort that packs them keeps their input order, as torch's does."""
    lengths = [2, 3, 2, 3, 1, 2]
    x = np.arange(3 * 6, dtype=np.float64).reshape(3, 6)
    t = trnn.pack_padded_sequence(torch.from_numpy(x), lengths, enforce_sorted=False)
    i = LIB.rnn.pack_padded_sequence(T.tensor_from_numpy(x), lengths, enforce_sorted=False)
    assert i.sorted_indices.tolist() == t.sorted_indices.tolist()
    assert i.data.tolist() == t.data.tolist()


def test_packed_sequence_is_a_named_tuple_as_torch():
    p = LIB.rnn.pack_sequence([lib.ones(3, 2), lib.ones(2, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert p._fields == trnn.PackedSequence._fields
    assert batch_sizes.tolist() == [2, 2, 1] and sorted_indices is None and unsorted_indices is None
    assert p.double().data.dtype == lib.float64 and tuple(data.shape) == (5, 2)
    assert LIB.rnn.invert_permutation(lib.tensor([2, 0, 1])).tolist() == [1, 2, 0]


# ---- a model twin ----------------------------------------------------------------------------------------------
def _classifier(L):
    """Embedding -> 2-layer bidirectional LSTM over packed variable-length sequences -> Linear on the last
    layer's two final hidden states."""
    nn = L.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(7, 4)
            self.lstm = nn.LSTM(4, 5, num_layers=2, batch_first=True, bidirectional=True)
            self.head = nn.Linear(10, 3)

        def forward(self, ids, lengths):
            packed = L.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
            _, (h, _) = self.lstm(packed)
            return self.head(L.top.cat([h[-2], h[-1]], dim=-1))

    return Classifier()


def test_lstm_classifier_twin_logits_gradients_and_adam_steps():
    """float64: logits and every parameter gradient at each of 10 Adam steps, and every parameter after them,
    equal torch's (assert_close float64 defaults)."""
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    tmod = _classifier(TORCH).double()
    imod = copy_state_dict(tmod, _classifier(LIB).double())
    topt = torch.optim.Adam(tmod.parameters(), lr=0.01)
    iopt = lib.optim.Adam(imod.parameters(), lr=0.01)
    tol = TOL["float64"]
    checked = 0
    for step in range(10):
        lengths = rng.integers(1, 7, size=5).tolist()
        ids = rng.integers(0, 7, size=(5, max(lengths)))
        y = rng.integers(0, 3, size=5)
        results = []
        for L, mod, opt in ((TORCH, tmod, topt), (LIB, imod, iopt)):
            opt.zero_grad()
            logits = mod(L.top.tensor(ids), lengths)
            loss = L.nn.functional.cross_entropy(logits, L.top.tensor(y))
            loss.backward()
            results.append((logits, {n: p.grad for n, p in mod.named_parameters()}))
            opt.step()
        (t_logits, t_grads), (i_logits, i_grads) = results
        assert_close(i_logits, t_logits, **tol, what=f"step {step} logits")
        assert list(i_grads) == list(t_grads)
        for name in t_grads:
            assert_close(i_grads[name], t_grads[name], **tol, what=f"step {step} grad of {name}")
            checked += 1
    for (name, tp), (_, ip) in zip(tmod.named_parameters(), imod.named_parameters()):
        assert_close(ip, tp, **tol, what=f"{name} after 10 Adam steps")
    assert checked == 10 * len(list(tmod.parameters())) == 10 * 19  # embed 1 + lstm 16 + head 2


@pytest.mark.impl_only(reason="breaks impl's own LSTM step (impl.nn.modules.rnn._STEPS) to show the twin can fail")
def test_model_twin_check_catches_a_wrong_gate_order():
    """The comparison can fail: an impl LSTM whose forget and input gates are swapped differs from torch."""
    import impl.nn.modules.rnn as rnn_mod

    original = rnn_mod._lstm_step

    def swapped(gi, state, w_hh, b_hh, w_hr=None):
        h, c = state
        f, i, g, o = rnn_mod.F.linear(h, w_hh, b_hh).add(gi).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c

    rnn_mod._STEPS["LSTM"] = swapped
    try:
        with pytest.raises(AssertionError, match="logits"):
            test_lstm_classifier_twin_logits_gradients_and_adam_steps()
    finally:
        rnn_mod._STEPS["LSTM"] = original
    assert rnn_mod._STEPS["LSTM"] is original


@settings(max_examples=examples(12))
@given(st.sampled_from(["RNN_TANH", "RNN_RELU", "LSTM"]), st.integers(1, 3), st.integers(1, 2), st.booleans(),
       st.sampled_from([1, 2, 4]), st.integers(0, 2**16))
def test_second_derivatives_through_recurrent_layers_match_torch(kind, hidden, layers, bidirectional, seq, seed):
    """A gradient penalty through an RNN/LSTM: unpacked layers without projections run as one recorded primitive
    per layer and direction with a numpy backward (impl/nn/modules/_recurrence.py), so ``create_graph`` goes
    through its composite. d/dθ ||d out·v / d x||² must equal torch's (float64), parameter by parameter."""
    c = dict(kind=kind, input_size=2, hidden=hidden, proj=0, layers=layers, bidirectional=bidirectional,
             batch_first=False, bias=True, seq=seq, batch=2, with_state=False)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(seq, 2, 2))
    tmod = _build(c)(TORCH).double()
    imod = _build(c)(LIB).double()
    copy_state_dict(tmod, imod)
    results = {}
    for L, mod in (("torch", tmod), ("target", imod)):
        top = torch if L == "torch" else lib
        xt = top.tensor(x, requires_grad=True)
        out, _ = mod(xt)
        v = top.tensor(rng.normal(size=tuple(out.shape)) if L == "torch" else results["v"])
        if L == "torch":
            results["v"] = v.numpy()
        (gx,) = top.autograd.grad((out * v).sum(), xt, create_graph=True)
        (gx ** 2).sum().backward()
        results[L] = {n: p.grad for n, p in mod.named_parameters()}
        results[L + "_gx"] = gx
    assert_close(results["target_gx"], results["torch_gx"], **TOL["float64"], what=f"{c} input gradient")
    assert list(results["target"]) == list(results["torch"])
    for name, tg in results["torch"].items():
        ig = results["target"][name]
        if ig is None:
            # relu's derivative is a mask, a constant to impl; torch connects the layer's output to its double
            # backward with a zero derivative (threshold_backward's), so its .grad is zeros where impl's is None.
            assert T.known_divergences and kind == "RNN_RELU" and tg is not None and not tg.abs().max().item(), (
                f"{c}: {T.name}'s {name}.grad is None, torch's is {tg}")
            continue
        assert_close(ig, tg, **TOL["float64"], what=f"{c} d penalty / d {name}")


@pytest.mark.impl_only(reason="impl's fused recurrence primitive (impl/nn/modules/_recurrence.py) against impl's own "
                               "op-by-op composite: internals of impl")
@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM"])
def test_fused_recurrence_equals_its_composite(kind):
    """The one-primitive layer and the op-by-op recurrence it stands for give the same outputs and gradients
    (float64; the composite is what create_graph and forward mode differentiate)."""
    import impl
    from impl.nn.modules import _recurrence, rnn

    rng = np.random.default_rng(7)
    T, B, n_in, H = 5, 3, 4, 6
    G = 4 if kind == "LSTM" else 1
    arrays = dict(x=rng.normal(size=(T, B, n_in)), h0=rng.normal(size=(B, H)), c0=rng.normal(size=(B, H)),
                  w_ih=rng.normal(size=(G * H, n_in)), w_hh=rng.normal(size=(G * H, H)) / 2,
                  b_ih=rng.normal(size=G * H), b_hh=rng.normal(size=G * H))
    cot = rng.normal(size=(T, B, H))
    for reverse in (False, True):
        grads = []
        for fused in (True, False):
            t = {k: impl.tensor(a, requires_grad=True) for k, a in arrays.items()}
            state = (t["h0"], t["c0"]) if kind == "LSTM" else (t["h0"],)
            if fused:
                out, final = _recurrence.run(kind, rnn._STEPS[kind], t["x"], state, t["w_ih"], t["w_hh"], t["b_ih"],
                                             t["b_hh"], reverse)
            else:
                gis = [impl.nn.functional.linear(xt, t["w_ih"], t["b_ih"]) for xt in t["x"].unbind(0)]
                outs, final = rnn._run_direction(rnn._STEPS[kind], gis, state, reverse, t["w_hh"], t["b_hh"], None)
                out = impl.stack(outs, 0)
            loss = (out * impl.tensor(cot)).sum() + sum((s * s).sum() for s in final)
            loss.backward()
            grads.append((out, final, {k: v.grad for k, v in t.items() if k != "c0" or kind == "LSTM"}))
        (o1, f1, g1), (o2, f2, g2) = grads
        assert_close(o1, o2, rtol=1e-12, atol=1e-12, what=f"{kind} reverse={reverse} output")
        for a, b in zip(f1, f2):
            assert_close(a, b, rtol=1e-12, atol=1e-12, what=f"{kind} reverse={reverse} final state")
        assert set(g1) == set(g2)
        for k in g1:
            assert_close(g1[k], g2[k], rtol=1e-10, atol=1e-10, what=f"{kind} reverse={reverse} grad of {k}")
