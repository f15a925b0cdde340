"""The milestones, asserted: each reaches its goal on impl (seed 0 under the ci profile, seeds 0, 1 and 2 under the
randomized ones, see SEEDS), really learns (every parameter gets a non-zero gradient and changes; the loss falls by
>= 90%), and matches its torch twin step for step (seed 0: the twin compares code paths, see TWIN_SEEDS).

Also: the checks themselves can fail (a planted frozen layer and a planted optimizer difference are caught),
the transformer's held-out set is really held out, and the CLI prints what it promises.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import settings

from milestones import MILESTONES, learning_problems, max_rel_err, run, twin_losses
from milestones.data import reversal_io, reversal_task
from milestones.xor_1986 import XOR1986

pytestmark = [pytest.mark.milestone,
              pytest.mark.impl_only(reason="about impl itself: the historical models trained on impl")]

ALL_SEEDS = (0, 1, 2)
# The `ci` gate trains seed 0 of each milestone; the randomized profiles (`thorough`, the weekly job, and `dev`)
# train all three (`python -m milestones --seed N` trains any one). Seeds 1 and 2 show the goal does not hinge on one initialisation; they run
# the code path seed 0 runs (the twin test compares that path with torch step for step), and training them cost
# ~45 CPU-s, a quarter of the 3-minute budget of plain `pytest`.
SEEDS = (0,) if settings.get_current_profile_name() == "ci" else ALL_SEEDS
# The twin check compares code paths: torch's initial weights copied into impl and the same batches, step for
# step. Another seed changes the numbers, not the path, so one seed shows it; the goal runs on all three.
TWIN_SEEDS = (0,)
TWIN_STEPS = 50
TWIN_RTOL = 1e-6  # the bar for float64 per-step losses; measured worst case is far below (see report)

_results: dict = {}


def trained(name: str, seed: int):
    """impl result for (name, seed), trained once per pytest run and shared by the tests below."""
    key = (name, seed)
    if key not in _results:
        _results[key] = run(MILESTONES[name], "impl", seed)
    return _results[key]


def _same_worker(name: str, seed: int) -> str:
    """The xdist group of a trained (name, seed): the tests that share one training run on one worker, so each
    model is trained once per pytest run (``--dist loadgroup`` in pyproject.toml). The recurrent pair's seed 0
    joins the test that compares the two."""
    return "lstm_1997-0" if (name, seed) == ("rnn_1994", 0) else f"{name}-{seed}"


@pytest.mark.parametrize("name, seed", [pytest.param(n, s, marks=pytest.mark.xdist_group(_same_worker(n, s)))
                                        for n in MILESTONES for s in SEEDS])
def test_reaches_goal_and_really_learns(name, seed):
    m = MILESTONES[name]
    res = trained(name, seed)
    assert res.passed, (f"{name} seed {seed}: accuracy {res.accuracy:.4f}, final loss {res.final_loss:.4g}; "
                        f"goal: {m.goal}")
    assert all(math.isfinite(x) for x in res.losses), f"{name} seed {seed}: non-finite loss"
    problems = learning_problems(m, res)
    assert not problems, f"{name} seed {seed} did not really learn:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("seed", TWIN_SEEDS)
@pytest.mark.parametrize("name", list(MILESTONES))
def test_twin_of_torch_float64(name, seed):
    """Identical initial weights (torch's, copied by state_dict) and identical batches: the first 50 per-step
    losses agree in float64."""
    i_losses, t_losses = twin_losses(MILESTONES[name], seed=seed, steps=TWIN_STEPS, dtype="float64")
    assert len(i_losses) == len(t_losses) == TWIN_STEPS
    err = max_rel_err(i_losses, t_losses)
    worst = int(np.argmax(np.abs(np.subtract(i_losses, t_losses)) / np.abs(t_losses)))
    assert err <= TWIN_RTOL, (f"{name}: per-step losses differ from torch by rel. err. {err:.3g} > {TWIN_RTOL} "
                              f"(worst at step {worst}: impl {i_losses[worst]!r}, torch {t_losses[worst]!r})")


@pytest.mark.xdist_group("xor_1969-0")  # trains seeds 1 and 2 (cheap); shares seed 0
def test_xor_1969_fails_for_a_structural_reason():
    """The single layer does not merely train too briefly: its loss sits at the model's optimum log 2
    (p = 0.5 on all four points), where no step can help."""
    for seed in ALL_SEEDS:
        res = trained("xor_1969", seed)
        assert res.accuracy <= 0.75
        assert abs(res.final_loss - math.log(2)) < 1e-3, res.final_loss


@pytest.mark.xdist_group(_same_worker("lstm_1997", 0))
def test_lstm_1997_reads_the_first_marked_value_and_rnn_1994_cannot():
    """Why one learns and the other does not: the trained LSTM's answer moves with the first marked value,
    25-49 steps back, almost one for one (d answer / d value near 1, as for the true sum), while the trained
    plain RNN's barely moves -- its gradient through those steps vanished, so it never learned to keep it."""
    import impl

    sensitivity = {}
    for name in ("lstm_1997", "rnn_1994"):
        res = trained(name, 0)
        x_test = MILESTONES[name].data(0)["x_test"][:200]
        x = impl.tensor(x_test, dtype=impl.float32, requires_grad=True)
        res.model(x).sum().backward()
        first = np.argmax(x_test[:, :, 1], axis=1)  # the first marked position (in the first half)
        d_input = x.grad.numpy()[np.arange(len(first)), first, 0]
        sensitivity[name] = float(d_input.mean() * math.sqrt(12.0))  # the input is (value - 0.5) * sqrt(12)
    assert sensitivity["lstm_1997"] > 0.8, sensitivity
    assert abs(sensitivity["rnn_1994"]) < 0.2, sensitivity


@pytest.mark.xdist_group(_same_worker("transformer_2017", 0))
def test_transformer_greedy_decoding_equals_teacher_forced_accuracy():
    """The held-out score (one teacher-forced pass) is what greedy autoregressive decoding produces."""
    m = MILESTONES["transformer_2017"]
    res = trained("transformer_2017", 0)
    import impl

    data = m.data(0)
    seqs = data["test"][:200]
    generated = m.generate(impl, res.model, seqs)
    greedy_exact = (generated == seqs[:, ::-1]).all(axis=1)
    with impl.no_grad():
        sub = dict(data, x_test=data["x_test"][:200], y_test=data["y_test"][:200])
        teacher_forced = m.evaluate(impl, res.model, sub, impl.float32)
    assert greedy_exact.mean() == pytest.approx(teacher_forced)
    assert greedy_exact.mean() >= 0.99


def test_transformer_training_never_sees_a_test_sequence():
    """With 2 tokens and length 3 (8 possible sequences, 4 held out) collisions are certain: the sampler must
    redraw every one of them."""
    test, sampler = reversal_task(length=3, vocab=2, n_test=4, seed=0)
    held_out = {r.tobytes() for r in test}
    assert len(held_out) == 4
    train = sampler(np.random.default_rng(0), 500)
    assert not any(r.tobytes() in held_out for r in train)
    x, y = reversal_io(train[:2], vocab=2)
    assert x.shape == y.shape == (2, 6)
    assert (y[:, :3] == -100).all() and (y[:, 3:] == train[:2, ::-1]).all()
    m = MILESTONES["transformer_2017"]
    data = m.data(0)
    assert len({r.tobytes() for r in data["test"]}) == m.n_test  # distinct held-out sequences


# ---- the checks can fail --------------------------------------------------------------------------------
class _FrozenFirstLayer(XOR1986):
    """xor_1986 with the first layer cut off from the loss by detach(): its parameters get no gradient."""

    def build(self, lib, data):
        nn = lib.nn
        inner = super().build(lib, data)

        class Cut(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = inner

            def forward(self, x):
                h = self.net[1](self.net[0](x)).detach()
                return self.net[3](self.net[2](h))

        return Cut()


class _ImplLrDiffers(XOR1986):
    """xor_1986 whose impl twin uses a learning rate 1e-5 larger than torch's."""

    def optimizer(self, lib, params):
        return lib.optim.Adam(params, lr=self.lr + (1e-5 if lib.__name__ == "impl" else 0.0))


def test_learning_verification_catches_a_frozen_layer():
    m = _FrozenFirstLayer()
    res = run(m, "impl", 0)
    problems = learning_problems(m, res)
    for p in ("net.0.weight", "net.0.bias"):
        assert any(x.startswith(f"{p}: grad was None") for x in problems), problems
        assert any(x.startswith(f"{p}: parameter never changed") for x in problems), problems
    assert not any(x.startswith("net.2.") for x in problems), problems


@pytest.mark.xdist_group("xor_1969-0")
def test_learning_verification_catches_a_loss_that_does_not_fall():
    m = MILESTONES["xor_1969"]
    res = trained("xor_1969", 0)
    # Ask xor_1969's run the question the other milestones must answer: the 90% drop is missing.
    probe = type("Probe", (type(m),), {"learns": True})()
    assert any(p.startswith("loss fell by") for p in learning_problems(probe, res))


def test_twin_check_catches_a_tiny_optimizer_difference():
    i_losses, t_losses = twin_losses(_ImplLrDiffers(), seed=0, steps=TWIN_STEPS, dtype="float64")
    assert i_losses[0] == pytest.approx(t_losses[0], rel=1e-12)  # same weights, same first batch
    assert max_rel_err(i_losses, t_losses) > TWIN_RTOL


# ---- the command line ------------------------------------------------------------------------------------
def test_cli_json_one_line_per_milestone(capsys):
    from milestones.__main__ import main

    assert main(["xor_1986", "perceptron_1957", "--seed", "1", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    rows = [json.loads(line) for line in lines]
    assert [r["milestone"] for r in rows] == ["xor_1986", "perceptron_1957"]
    for r in rows:
        assert {"milestone", "accuracy", "seed", "final_loss", "seconds"} <= set(r)
        assert r["seed"] == 1 and r["passed"] is True and r["seconds"] > 0


def test_cli_table_and_plot(capsys, tmp_path):
    from milestones.__main__ import main

    assert main(["xor_1969", "--plot", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "xor_1969" in out and "PASS" in out and "accuracy" in out
    png = tmp_path / "xor_1969_seed0.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_rejects_unknown_names():
    from milestones.__main__ import main

    with pytest.raises(SystemExit):
        main(["alexnet_2012"])
