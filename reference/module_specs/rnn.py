"""RNN (tanh/relu), LSTM (with or without a projection), GRU and the three cells.

Layers: sizes, layers, direction, batch_first, bias, the sequence length (from 1) and the batch (from 1, or
unbatched 2-D input), with or without initial states; some examples feed a PackedSequence (sorted or unsorted
lengths: final states at each sequence's own last step, the reverse direction starting there), then compare the
packed output, its bookkeeping (batch_sizes, sorted/unsorted indices, exactly), the final states and the re-padded
output. Cells are unrolled over a few steps (gradients flow through their state). Cotangents are random on every
output, the final states included. torch's initial weights are used as they are (U(-1/sqrt(H), 1/sqrt(H))).
Multi-layer dropout in training mode is random: property_tests/test_module_special.py."""

from reference.module_specs._common import ModuleSample, rng_of, st
from reference.modulespec import ModuleSpec


@st.composite
def _layer(draw, cls):
    rng = rng_of(draw)
    hidden, input_size = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    proj = draw(st.integers(0, hidden - 1)) if cls == "LSTM" and hidden > 1 and draw(st.booleans()) else 0
    layers, bidirectional = draw(st.integers(1, 3)), draw(st.booleans())
    kw = dict(input_size=input_size, hidden_size=hidden, num_layers=layers, bias=draw(st.booleans()),
              batch_first=draw(st.booleans()), bidirectional=bidirectional)
    if cls == "RNN":
        kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    if proj:
        kw["proj_size"] = proj
    packed = draw(st.integers(0, 2)) == 0
    if packed:
        batch = draw(st.integers(1, 4))
        lengths = draw(st.lists(st.integers(1, 5), min_size=batch, max_size=batch))
        enforce_sorted = draw(st.booleans())
        if enforce_sorted:
            lengths = sorted(lengths, reverse=True)
        seq = max(lengths)
    else:
        batch, seq = draw(st.sampled_from([None, 1, 1, 2, 3])), draw(st.sampled_from([1, 1, 2, 3, 5]))
    if batch is None:
        shape = (seq, input_size)
    else:
        shape = (batch, seq, input_size) if kw["batch_first"] else (seq, batch, input_size)
    arrays = [rng.normal(size=shape)]
    if draw(st.booleans()):  # initial states
        n = layers * (2 if bidirectional else 1)
        lead = (n,) if batch is None else (n, batch)
        arrays.append(rng.normal(size=(*lead, proj or hidden)))
        if cls == "LSTM":
            arrays.append(rng.normal(size=(*lead, hidden)))
    fwd = dict(lstm=cls == "LSTM", batch_first=kw["batch_first"])
    if packed:
        fwd.update(lengths=tuple(lengths), enforce_sorted=enforce_sorted)
    return ModuleSample(kw, tuple(arrays), fwd)


def _call_layer(m, xs, lib, lstm, batch_first, lengths=None, enforce_sorted=True):
    hx = None if len(xs) == 1 else (tuple(xs[1:]) if lstm else xs[1])
    if lengths is None:
        return m(xs[0], hx)
    packed = lib.rnn.pack_padded_sequence(xs[0], list(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    out, states = m(packed, hx)
    padded, out_lengths = lib.rnn.pad_packed_sequence(out, batch_first=batch_first, padding_value=-2.0)
    # the layer's output PackedSequence carries the input's sort order on: compare its own, not the input's
    return out, states, padded, out_lengths, out.batch_sizes, out.sorted_indices, out.unsorted_indices


@st.composite
def _cell(draw, cls):
    rng = rng_of(draw)
    input_size, hidden, steps = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    batch = draw(st.sampled_from([None, 1, 3]))
    lead = () if batch is None else (batch,)
    arrays = [rng.normal(size=(steps, *lead, input_size))]
    if draw(st.booleans()):
        arrays += [rng.normal(size=(*lead, hidden)) for _ in range(2 if cls == "LSTMCell" else 1)]
    kw = dict(input_size=input_size, hidden_size=hidden, bias=draw(st.booleans()))
    if cls == "RNNCell":
        kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    return ModuleSample(kw, tuple(arrays), dict(lstm=cls == "LSTMCell", steps=steps))


def _call_cell(m, xs, lib, lstm, steps):
    state = None if len(xs) == 1 else (tuple(xs[1:]) if lstm else xs[1])
    outs = []
    for t in range(steps):
        state = m(xs[0][t], state)
        outs.append(state)
    return tuple(outs)


_ONEDNN = ("LSTM with projections is not supported with oneDNN",)  # torch's notice, once per process
SPECS = [
    *[ModuleSpec(cls, _layer(cls), call=_call_layer, perturb=False, max_examples=12, ignore_warnings=_ONEDNN)
      for cls in ("RNN", "LSTM", "GRU")],
    *[ModuleSpec(cls, _cell(cls), call=_call_cell, perturb=False, max_examples=6)
      for cls in ("RNNCell", "LSTMCell", "GRUCell")],
]
