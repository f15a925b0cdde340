"""MultiheadAttention, the transformer encoder/decoder layers and stacks, and Transformer.

Masks are forward inputs (bool or float arrays; only the sequences get gradients). Dropout in training mode is
random, so a case with dropout > 0 runs in eval mode; a row never has every key masked (torch gives nan there).
These are the heaviest twins: few examples, small sizes (E <= 9, sequences <= 4)."""
import numpy as np

from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec
from reference.opspec import Divergence


@st.composite
def _mha(draw):
    rng = rng_of(draw)
    heads = draw(st.integers(1, 3))
    e = heads * draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["self", "self", "kv_same", "cross"]))
    kdim = vdim = None
    if mode == "cross" and draw(st.booleans()):
        kdim, vdim = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    q_len = draw(st.integers(1, 4))
    s_len = q_len if mode == "self" else draw(st.integers(1, 4))
    n, batched, batch_first = draw(st.integers(1, 3)), draw(st.sampled_from([True, True, False])), draw(st.booleans())
    causal = draw(st.booleans()) and mode == "self"
    attn_kind = draw(st.sampled_from([None, "bool2", "float2", "bool3", "float3"]))
    kpm_kind = draw(st.sampled_from([None, "bool", "float"]))
    dropout = draw(st.sampled_from([0.0, 0.3]))
    kw = dict(embed_dim=e, num_heads=heads, dropout=dropout, bias=draw(st.booleans()), add_bias_kv=draw(st.booleans()),
              add_zero_attn=draw(st.booleans()), kdim=kdim, vdim=vdim, batch_first=batch_first)

    def seq(t, d):
        if not batched:
            return randn(rng, (t, d))
        return randn(rng, (n, t, d) if batch_first else (t, n, d))

    q = seq(q_len, e)
    k = q if mode == "self" else seq(s_len, kdim or e)
    v = k if mode in ("self", "kv_same") else seq(s_len, vdim or e)
    masks = {}
    if causal:
        masks["attn_mask"] = np.triu(np.ones((q_len, s_len), bool), 1)  # the causal mask, as is_causal requires
    elif attn_kind:
        shape = (q_len, s_len) if attn_kind.endswith("2") else ((n if batched else 1) * heads, q_len, s_len)
        m = rng.random(shape) < 0.4
        m[..., 0] = False
        masks["attn_mask"] = m if attn_kind.startswith("bool") else np.where(m, -1e4, rng.normal(size=shape))
    if kpm_kind:
        m = rng.random((n, s_len) if batched else (s_len,)) < 0.4
        m[..., 0] = False
        masks["key_padding_mask"] = m if kpm_kind == "bool" else np.where(m, -np.inf, 0.0)
    if "attn_mask" in masks and "key_padding_mask" in masks:  # torch warns when the masks' kinds differ
        if masks["attn_mask"].dtype == bool and masks["key_padding_mask"].dtype != bool:
            masks["key_padding_mask"] = masks["key_padding_mask"] == -np.inf
        if masks["attn_mask"].dtype != bool and masks["key_padding_mask"].dtype == bool:
            masks["key_padding_mask"] = np.where(masks["key_padding_mask"], -np.inf, 0.0)
    seqs = [q] + ([k] if mode != "self" else []) + ([v] if mode == "cross" else [])
    fwd = dict(n_seq=len(seqs), names=tuple(masks), need_weights=draw(st.booleans()),
               average_attn_weights=draw(st.booleans()), is_causal=causal)
    return ModuleSample(kw, (*seqs, *masks.values()), fwd, grad=tuple(range(len(seqs))),
                        mode="eval" if dropout else None)


def _call_mha(m, xs, lib, n_seq, names, **fwd):
    seqs, masks = xs[:n_seq], dict(zip(names, xs[n_seq:]))
    q = seqs[0]
    k = seqs[1] if n_seq > 1 else q
    v = seqs[2] if n_seq > 2 else k
    return m(q, k, v, **masks, **fwd)


def _activation(kind, lib):
    return {"relu": "relu", "gelu": "gelu", "F.gelu": lib.F.gelu, "GELU()": lib.nn.GELU(), "silu": lib.F.silu}[kind]


@st.composite
def _encoder_layer(draw):
    rng = rng_of(draw)
    heads, hd, ff = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 6))
    act = draw(st.sampled_from(["relu", "gelu", "F.gelu", "GELU()", "silu"]))
    norm_first, batch_first, bias = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    mask, kpm, train = draw(st.sampled_from([None, "causal", "bool", "float"])), draw(st.booleans()), draw(st.booleans())
    e, s, n = heads * hd, int(rng.integers(1, 5)), int(rng.integers(1, 3))
    arrays, names = [randn(rng, (n, s, e) if batch_first else (s, n, e))], []
    if mask == "causal":
        arrays.append(np.triu(np.full((s, s), -np.inf), 1))
        names.append("src_mask")
    elif mask:
        m = rng.random((s, s)) < 0.4
        m[:, 0] = False
        arrays.append(m if mask == "bool" else np.where(m, -np.inf, 0.0))
        names.append("src_mask")
    if kpm:
        m = rng.random((n, s)) < 0.4
        m[:, 0] = False
        arrays.append(m if mask in (None, "bool") else np.where(m, -np.inf, 0.0))
        names.append("src_key_padding_mask")
    kw = dict(d_model=e, nhead=heads, dim_feedforward=ff, dropout=0.0 if train else 0.2, activation=act,
              layer_norm_eps=draw(st.sampled_from([1e-5, 1e-3])), batch_first=batch_first, norm_first=norm_first,
              bias=bias)
    return ModuleSample(kw, tuple(arrays), dict(names=tuple(names), is_causal=mask == "causal"), grad=(0,),
                        mode="train" if train else "eval")


def _build_encoder_layer(lib, activation, **kw):
    return lib.nn.TransformerEncoderLayer(activation=_activation(activation, lib), **kw)


def _call_masked(m, xs, lib, names, n_seq=1, **fwd):
    return m(*xs[:n_seq], **fwd, **dict(zip(names, xs[n_seq:])))


def _encoder_layer_found():
    """thorough profile, seed 3 (2026-12-01): post-norm, d_model=2, a bool src_mask, float32; torch float32 rounded
    luckily (err 5.9e-5 on a gradient of 277), impl's 1.4e-3 is within the rounding-perturbed float64 floor of
    run_twins' judge. The inputs are those the original test drew from numpy seed 2440."""
    rng = np.random.default_rng(2440)
    s, n = int(rng.integers(1, 5)), int(rng.integers(1, 3))
    x = randn(rng, (s, n, 2))
    m = rng.random((s, s)) < 0.4
    m[:, 0] = False
    kw = dict(d_model=2, nhead=1, dim_feedforward=1, dropout=0.2, activation="relu", layer_norm_eps=1e-3,
              batch_first=False, norm_first=False, bias=False)
    return ModuleSample(kw, (x, m), dict(names=("src_mask",), is_causal=False), grad=(0,), mode="eval", seed=2440)


@st.composite
def _encoder(draw):
    rng = rng_of(draw)
    e, s, n = 4, int(rng.integers(1, 5)), 2
    mask, kpm = draw(st.sampled_from([None, "causal", "float"])), draw(st.booleans())
    is_causal = draw(st.sampled_from([None, True, False]))
    if is_causal and mask != "causal":
        is_causal = None  # is_causal=True is only a hint about a causal mask
    arrays, names = [randn(rng, (s, n, e))], []
    if mask == "causal":
        arrays.append(np.triu(np.full((s, s), -np.inf), 1))
        names.append("mask")
    elif mask:
        arrays.append(rng.normal(size=(s, s)))
        names.append("mask")
    if kpm:
        m = rng.random((n, s)) < 0.4
        m[:, 0] = False
        arrays.append(np.where(m, -np.inf, 0.0))
        names.append("src_key_padding_mask")
    kw = dict(num_layers=draw(st.integers(1, 3)), with_norm=draw(st.booleans()), norm_first=draw(st.booleans()))
    return ModuleSample(kw, tuple(arrays), dict(names=tuple(names), is_causal=is_causal), grad=(0,))


def _build_encoder(lib, num_layers, with_norm, norm_first):
    layer = lib.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, norm_first=norm_first)
    return lib.nn.TransformerEncoder(layer, num_layers, norm=lib.nn.LayerNorm(4) if with_norm else None,
                                     enable_nested_tensor=False)


def _decoder_masks(rng, s, t, n, kinds):
    """(arrays, names) of the decoder's masks: tgt_mask causal/bool, memory and padding masks."""
    arrays, names = [], []
    if kinds.get("tgt") == "causal":
        arrays.append(np.triu(np.full((t, t), -np.inf), 1))
        names.append("tgt_mask")
    elif kinds.get("tgt") == "bool":
        m = rng.random((t, t)) < 0.4
        m[:, 0] = False
        arrays.append(m)
        names.append("tgt_mask")
    if kinds.get("memory"):
        arrays.append(rng.normal(size=(t, s)))
        names.append("memory_mask")
    if kinds.get("tgt_kpm"):
        m = rng.random((n, t)) < 0.4
        m[:, 0] = False
        arrays.append(m if kinds.get("tgt") != "causal" else np.where(m, -np.inf, 0.0))
        names.append("tgt_key_padding_mask")
    if kinds.get("mem_kpm"):
        m = rng.random((n, s)) < 0.4
        m[:, 0] = False
        arrays.append(np.where(m, -np.inf, 0.0))
        names.append("memory_key_padding_mask")
    return arrays, names


@st.composite
def _decoder_layer(draw):
    rng = rng_of(draw)
    heads, hd = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    batch_first = draw(st.booleans())
    kinds = dict(tgt=draw(st.sampled_from([None, "causal", "bool"])), memory=draw(st.booleans()),
                 tgt_kpm=draw(st.booleans()), mem_kpm=draw(st.booleans()))
    e, t, s, n = heads * hd, int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(1, 3))
    masks, names = _decoder_masks(rng, s, t, n, kinds)
    seq = (lambda length: randn(rng, (n, length, e) if batch_first else (length, n, e)))
    causal = draw(st.booleans()) and kinds["tgt"] == "causal"  # the hint is only a promise about the mask
    kw = dict(d_model=e, nhead=heads, dim_feedforward=draw(st.integers(1, 6)), dropout=0.0,
              activation=draw(st.sampled_from(["relu", "gelu"])), batch_first=batch_first,
              norm_first=draw(st.booleans()), bias=draw(st.booleans()))
    return ModuleSample(kw, (seq(t), seq(s), *masks), dict(names=tuple(names), n_seq=2, tgt_is_causal=causal),
                        grad=(0, 1))


@st.composite
def _decoder(draw):
    rng = rng_of(draw)
    e, t, s, n = 4, int(rng.integers(1, 5)), int(rng.integers(1, 4)), 2
    causal_mask = draw(st.booleans())
    masks, names = _decoder_masks(rng, s, t, n, dict(tgt="causal" if causal_mask else None, mem_kpm=True))
    tgt_is_causal = draw(st.sampled_from([None, True, False]))
    if tgt_is_causal and not causal_mask:
        tgt_is_causal = None
    kw = dict(num_layers=draw(st.integers(1, 2)), with_norm=draw(st.booleans()), norm_first=draw(st.booleans()))
    return ModuleSample(kw, (randn(rng, (t, n, e)), randn(rng, (s, n, e)), *masks),
                        dict(names=tuple(names), n_seq=2, tgt_is_causal=tgt_is_causal), grad=(0, 1))


def _build_decoder(lib, num_layers, with_norm, norm_first):
    layer = lib.nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, norm_first=norm_first)
    return lib.nn.TransformerDecoder(layer, num_layers, norm=lib.nn.LayerNorm(4) if with_norm else None)


@st.composite
def _transformer(draw):
    """The whole encoder-decoder in eval mode, a causal tgt mask from generate_square_subsequent_mask (each
    library's own), padding masks on src and memory."""
    rng = rng_of(draw)
    e, s, t, n = 4, int(rng.integers(1, 5)), int(rng.integers(1, 5)), 2
    batch_first = draw(st.booleans())
    kpm = rng.random((n, s)) < 0.3
    kpm[:, 0] = False
    seq = (lambda length: randn(rng, (n, length, e) if batch_first else (length, n, e)))
    kw = dict(d_model=e, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=6, dropout=0.0,
              activation=draw(st.sampled_from(["relu", "gelu"])), batch_first=batch_first,
              norm_first=draw(st.booleans()), bias=draw(st.booleans()))
    return ModuleSample(kw, (seq(s), seq(t), kpm), dict(t=t), grad=(0, 1))


def _call_transformer(m, xs, lib, t):
    mask = lib.nn.Transformer.generate_square_subsequent_mask(t, dtype=xs[0].dtype)
    return m(xs[0], xs[1], tgt_mask=mask, tgt_is_causal=True, src_key_padding_mask=xs[2], memory_key_padding_mask=xs[2])


SPECS = [
    ModuleSpec("MultiheadAttention", _mha(), call=_call_mha, also_covers=("NonDynamicallyQuantizableLinear",),
               max_examples=20, notes="the many option combinations are the point: more examples than most"),
    ModuleSpec("TransformerEncoderLayer", _encoder_layer(), build=_build_encoder_layer, call=_call_masked,
               examples=(_encoder_layer_found(),), max_examples=10),
    ModuleSpec("TransformerEncoder", _encoder(), build=_build_encoder, call=_call_masked, max_examples=6, modes=("train",),
               also_covers=("TransformerEncoderLayer", "LayerNorm", "ModuleList")),
    ModuleSpec("TransformerDecoderLayer", _decoder_layer(), call=_call_masked, max_examples=8),
    ModuleSpec("TransformerDecoder", _decoder(), build=_build_decoder, call=_call_masked, max_examples=5, modes=("eval",),
               also_covers=("TransformerDecoderLayer", "ModuleList")),
    ModuleSpec("Transformer", _transformer(), call=_call_transformer, max_examples=4, modes=("eval",),
               also_covers=("TransformerEncoder", "TransformerDecoder"),
               divergences=(Divergence("attribute use_nested_tensor",
                                       "impl has no nested tensors: its encoder never takes torch's nested-tensor fast "
                                       "path (an inference-only optimisation with the same results), so the flag is "
                                       "False where torch's may be True"),)),
]
