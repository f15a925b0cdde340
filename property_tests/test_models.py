"""Model-by-model differential tests: MLP, CNN, decoder-only transformer and LSTM tagger twins.

For hypothesis-drawn architectures and batches: logits, loss and every named parameter's gradient equal
torch's (float64 at assert_close's float64 defaults; float32 at its float32 defaults, where torch in float64 on
the same weights and batch settles elements where the two float32 results differ by more -- impl must then be
within the default plus 4x the float32 noise, reference.twins.assert_close_judged with the rounding-perturbed
float64 floor, as in test_modules.py), then 10 optimizer steps (SGD with momentum, and AdamW) on identical
batches leave every parameter -- and every buffer -- equal after every step.

Why float32 is judged: a d_model=2 transformer normalises over 2 features, which is ill-conditioned when they
are nearly equal; torch's own float32 gradient of an out_proj weight was 1.24e-5 off the float64 value (over
the 1e-5 atol) while impl's was 1.8e-6 (thorough profile, seed 2, 2026-12-01).
"""
import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference import models as M
from reference import targets
from reference.opspec import DEFAULT_TOL
from reference.samples import fraction
from reference.twins import assert_close, assert_close_judged, float64_judges, rounding_perturbed

pytestmark = [pytest.mark.models]

lib = targets.current().lib  # the library under test; torch is the oracle

TOL = DEFAULT_TOL
BATCH = st.integers(1, 5)


def _batch(arch, cfg, n, rng, dtype):
    np_dtype = np.float64 if dtype == "float64" else np.float32
    if arch == "mlp":
        return rng.standard_normal((n, cfg.in_features)).astype(np_dtype), rng.integers(0, cfg.out_features, n)
    if arch == "cnn":
        x = rng.standard_normal((n, cfg.in_channels, cfg.size, cfg.size)).astype(np_dtype)
        return x, rng.integers(0, cfg.classes, n)
    ids = rng.integers(0, cfg.vocab, (n, cfg.seq_len))
    return ids, rng.integers(0, cfg.vocab, (n, cfg.seq_len))


def _loss(lib, model, x, y):
    logits = model(lib.tensor(x))
    flat = logits.reshape(-1, logits.shape[-1])
    return logits, lib.nn.functional.cross_entropy(flat, lib.tensor(y).reshape(-1))


BUILDERS = {"mlp": M.build_mlp, "cnn": M.build_cnn, "transformer": M.build_transformer, "lstm": M.build_lstm}


def _check_grads(arch, cfg, n, seed, dtype):
    t_model, i_model = M.twins(BUILDERS[arch], cfg, dtype=dtype, seed=seed)
    # The float64 judge (same float32-representable weights and batch) and its noise floor (both nudged by one
    # float32 rounding); float64 is not judged.
    prng = np.random.default_rng(seed + 1)
    j_model, p_model = float64_judges(t_model, prng) if dtype == "float32" else (None, None)
    x, y = _batch(arch, cfg, n, np.random.default_rng(seed), dtype)
    repro = f"reproduce: arch={arch} cfg={cfg!r} batch={n} seed={seed} dtype={dtype}"
    t_logits, t_loss = _loss(torch, t_model, x, y)
    i_logits, i_loss = _loss(lib, i_model, x, y)
    j_logits, j_loss = _loss(torch, j_model, x.astype(np.float64) if x.dtype.kind == "f" else x, y) if j_model else (None, None)
    p_logits, p_loss = _loss(torch, p_model, rounding_perturbed(x, prng), y) if p_model else (None, None)
    tol = TOL[dtype]

    def check(i_val, t_val, j_val, p_val, what):
        assert_close_judged(i_val, t_val, j_val, what=f"{arch} {what}", reproducer=repro, perturbed=p_val, **tol)

    check(i_logits, t_logits, j_logits, p_logits, "logits")
    check(i_loss, t_loss, j_loss, p_loss, "loss")
    for loss in (t_loss, i_loss, j_loss, p_loss):
        if loss is not None:
            loss.backward()
    t_params = dict(t_model.named_parameters())
    i_params = dict(i_model.named_parameters())
    j_params = dict(j_model.named_parameters()) if j_model else {}
    p_params = dict(p_model.named_parameters()) if p_model else {}
    assert list(t_params) == list(i_params)
    for name, tp in t_params.items():
        ip = i_params[name]
        assert ip.grad is not None, f"{arch}: {name} received no gradient ({repro})"
        check(ip.grad, tp.grad, j_params[name].grad if j_model else None, p_params[name].grad if p_model else None,
              f"grad {name}")
    j_buffers = dict(j_model.named_buffers()) if j_model else {}
    p_buffers = dict(p_model.named_buffers()) if p_model else {}
    for name, tb in t_model.named_buffers():
        check(dict(i_model.named_buffers())[name], tb, j_buffers.get(name), p_buffers.get(name), f"buffer {name}")


def _optimizers(lib, params, which):
    if which == "sgd":
        return lib.optim.SGD(params, lr=0.05, momentum=0.9)
    return lib.optim.AdamW(params, lr=1e-2, weight_decay=0.05)


def _check_trajectory(arch, cfg, n, seed, which):
    t_model, i_model = M.twins(BUILDERS[arch], cfg, dtype="float64", seed=seed)
    t_opt, i_opt = _optimizers(torch, t_model.parameters(), which), _optimizers(lib, i_model.parameters(), which)
    rng = np.random.default_rng(seed + 1)
    for step in range(10):
        x, y = _batch(arch, cfg, n, rng, "float64")
        for side, model, opt in ((torch, t_model, t_opt), (lib, i_model, i_opt)):
            opt.zero_grad()
            _loss(side, model, x, y)[1].backward()
            opt.step()
        repro = f"reproduce: arch={arch} cfg={cfg!r} batch={n} seed={seed} optimizer={which} step={step}"
        i_state = i_model.state_dict()
        for name, tv in t_model.state_dict().items():
            assert_close(i_state[name], tv, what=f"{arch} {which} step {step}: {name}", reproducer=repro, **TOL["float64"])


def _model_test(arch, cfg, n, seed):
    _check_grads(arch, cfg, n, seed, "float64")
    _check_grads(arch, cfg, n, seed, "float32")
    _check_trajectory(arch, cfg, n, seed, "sgd")
    _check_trajectory(arch, cfg, n, seed, "adamw")


SEEDS = st.integers(0, 2**16)
# 10 architectures per model under ci (120 under thorough): each example checks two dtypes' gradients and two
# 10-step optimizer trajectories against torch, and every op and module inside is already checked on its own
# (test_ops.py, test_modules.py); these examples are about the composition. 25 cost ~30 s of the suite's budget.
MODEL_EXAMPLES = settings(max_examples=fraction(10))


@MODEL_EXAMPLES
@given(cfg=M.mlp_configs, n=BATCH, seed=SEEDS)
def test_mlp_twin(cfg, n, seed):
    _model_test("mlp", cfg, n, seed)


@MODEL_EXAMPLES
@given(cfg=M.cnn_configs(), n=st.integers(2, 4), seed=SEEDS)  # batch >= 2: BatchNorm in training needs it
def test_cnn_twin(cfg, n, seed):
    _model_test("cnn", cfg, n, seed)


@MODEL_EXAMPLES
@given(cfg=M.transformer_configs(), n=BATCH, seed=SEEDS)
# thorough profile, seed 2 (2026-12-01): torch's float32 gradient 1.24e-5 off float64 (over atol), impl's 1.8e-6
@example(cfg=M.TransformerConfig(vocab=7, d_model=2, heads=1, layers=2, seq_len=4, norm_first=True, activation="relu"),
         n=1, seed=1)
def test_transformer_twin(cfg, n, seed):
    _model_test("transformer", cfg, n, seed)


# As many as the other models, although each runs the recurrence step by step in four torch models (float32, two
# float64 judges, twice 10 optimizer steps), several times the cost of a transformer example.
@MODEL_EXAMPLES
@given(cfg=M.lstm_configs, n=BATCH, seed=SEEDS)
def test_lstm_twin(cfg, n, seed):
    _model_test("lstm", cfg, n, seed)
