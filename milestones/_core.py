"""The machinery every milestone shares: the Milestone contract, one training loop for both libraries,
learning verification and the torch twin check.

A milestone is written once against torch's API and run with ``lib`` = ``impl`` or ``torch``. Everything that
is random *outside* the model's initialisation (the data, the split, the batch order) comes from numpy
generators seeded by the milestone's seed, so both libraries see exactly the same batches.
"""
from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass, field
from itertools import islice

import numpy as np


@contextlib.contextmanager
def single_threaded():
    """BLAS (numpy's OpenBLAS) and torch on one thread each, restored afterwards.

    These models are tiny: a 2-thread BLAS only adds hand-off cost, and on a loaded 2-core machine it can make
    a (1024, 32) @ (32, 32) product 100x slower (measured: 6.9 ms vs 0.05 ms). Same setting for both libraries.
    """
    with contextlib.ExitStack() as stack:
        try:
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=1))
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            pass
        torch = sys.modules.get("torch")
        if torch is not None:
            n = torch.get_num_threads()
            torch.set_num_threads(1)
            stack.callback(torch.set_num_threads, n)
        yield


def rng(seed: int, stream: int) -> np.random.Generator:
    """An independent numpy generator per (seed, purpose): 0 = data, 1 = batch order, 2 = spare."""
    return np.random.default_rng([int(seed), int(stream)])


def as_tensor(lib, arr: np.ndarray, dtype=None):
    """A ``lib`` tensor holding a copy of ``arr``: floats in ``dtype``, integers as int64."""
    arr = np.asarray(arr)
    if arr.dtype.kind in "iu":
        return lib.tensor(arr.astype(np.int64))
    return lib.tensor(arr, dtype=dtype)


def to_numpy(t) -> np.ndarray:
    return np.array(t.detach().numpy(), copy=True)


def minibatches(n: int, batch_size: int, epochs: int, gen: np.random.Generator):
    """Index arrays: ``epochs`` reshuffled passes over ``range(n)`` in batches (the last one may be short)."""
    for _ in range(epochs):
        perm = gen.permutation(n)
        for i in range(0, n, batch_size):
            yield perm[i:i + batch_size]


class Milestone:
    """The contract. Subclasses set the class attributes and override the methods marked below."""

    name: str = ""
    title: str = ""
    goal: str = ""  # the threshold, for humans (the table and the report)
    learns: bool = True  # False only for xor_1969: the loss must NOT be asked to fall by 90%

    def data(self, seed: int) -> dict:  # override: numpy arrays, deterministic in seed
        raise NotImplementedError

    def build(self, lib, data: dict):  # override: the model, built with lib's global RNG
        raise NotImplementedError

    def optimizer(self, lib, params):  # override
        raise NotImplementedError

    def batches(self, data: dict, seed: int):  # override: iterator of (x, y) numpy arrays, one per step
        raise NotImplementedError

    def scheduler(self, lib, opt):  # override for a learning-rate schedule, stepped after every optimizer step
        return None

    def loss(self, lib, model, x, y):  # override if the task is not classification with cross-entropy
        return lib.nn.functional.cross_entropy(model(x), y)

    def evaluate(self, lib, model, data: dict, dtype) -> float:  # override: the accuracy the goal is about
        raise NotImplementedError

    def passed(self, accuracy: float, final_loss: float) -> bool:  # override: the goal, as code
        raise NotImplementedError


@dataclass
class Result:
    milestone: str
    lib: str
    seed: int
    accuracy: float
    losses: list
    seconds: float  # wall clock, data + model + training + evaluation
    cpu_seconds: float  # this process's CPU time over the same span (what a loaded machine does not inflate)
    init: dict = field(repr=False)  # name -> numpy copy of the initial parameter
    final: dict = field(repr=False)  # name -> numpy copy of the trained parameter
    first_grad_nonzero: dict = field(repr=False)  # name -> bool, on the first step
    grad_missing_steps: dict = field(repr=False)  # name -> number of steps with grad None
    passed: bool = False
    model: object = field(default=None, repr=False)  # the trained model (eval mode)

    @property
    def final_loss(self) -> float:
        """Mean of the last few step losses (minibatch losses are noisy; the last one alone is luck)."""
        tail = self.losses[-max(1, min(10, len(self.losses) // 10)):]
        return float(np.mean(tail))

    @property
    def initial_loss(self) -> float:
        return float(self.losses[0])

    def row(self) -> dict:
        return dict(milestone=self.milestone, lib=self.lib, seed=self.seed, accuracy=round(self.accuracy, 6),
                    initial_loss=round(self.initial_loss, 6), final_loss=round(self.final_loss, 6),
                    steps=len(self.losses), seconds=round(self.seconds, 3), cpu_seconds=round(self.cpu_seconds, 3),
                    passed=bool(self.passed))


def _lib(name_or_module):
    if isinstance(name_or_module, str):
        import importlib

        return importlib.import_module(name_or_module)
    return name_or_module


def _dtype(lib, dtype: str):
    return getattr(lib, dtype)


def setup(m: Milestone, lib, seed: int, dtype: str = "float32", data: dict | None = None):
    """(data, model) with the model built under ``lib.manual_seed(seed)`` and cast to ``dtype``."""
    data = m.data(seed) if data is None else data
    lib.manual_seed(seed)
    model = m.build(lib, data)
    if dtype == "float64":
        model = model.double()
    return data, model


def fit(m: Milestone, lib, model, data: dict, seed: int, dtype: str = "float32", steps: int | None = None,
        progress=None) -> tuple[list, dict, dict]:
    """Train ``model`` in place on ``m.batches(data, seed)`` (the first ``steps`` of them if given).

    Returns (per-step losses, first-step non-zero-gradient flags, per-parameter count of steps whose grad
    was None). ``progress`` is an optional callable(step_loss) for a progress bar.
    """
    dt = _dtype(lib, dtype)
    opt = m.optimizer(lib, model.parameters())
    sched = m.scheduler(lib, opt)
    names = [n for n, _ in model.named_parameters()]
    params = [p for _, p in model.named_parameters()]
    losses, first_nonzero, missing = [], {}, dict.fromkeys(names, 0)
    model.train()
    batches = m.batches(data, seed)
    if steps is not None:
        batches = islice(batches, steps)
    for step, (x, y) in enumerate(batches):
        xb, yb = as_tensor(lib, x, dt), as_tensor(lib, y, dt)
        opt.zero_grad()
        loss = m.loss(lib, model, xb, yb)
        loss.backward()
        for n, p in zip(names, params):
            if p.grad is None:
                missing[n] += 1
            if step == 0:
                first_nonzero[n] = p.grad is not None and bool(np.any(to_numpy(p.grad) != 0))
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(float(loss.item()))
        if progress is not None:
            progress(losses[-1])
    return losses, first_nonzero, missing


def run(m: Milestone, lib="impl", seed: int = 0, dtype: str = "float32", progress=None) -> Result:
    """Train milestone ``m`` from scratch in ``lib`` with ``seed`` and evaluate it."""
    lib = _lib(lib)
    with single_threaded():
        t0, c0 = time.perf_counter(), time.process_time()
        data, model = setup(m, lib, seed, dtype)
        init = {n: to_numpy(p) for n, p in model.named_parameters()}
        losses, first_nonzero, missing = fit(m, lib, model, data, seed, dtype, progress=progress)
        model.eval()
        with lib.no_grad():
            acc = float(m.evaluate(lib, model, data, _dtype(lib, dtype)))
    final = {n: to_numpy(p) for n, p in model.named_parameters()}
    res = Result(m.name, lib.__name__, seed, acc, losses, time.perf_counter() - t0, time.process_time() - c0, init,
                 final, first_nonzero, missing, model=model)
    res.passed = bool(m.passed(acc, res.final_loss))
    return res


def learning_problems(m: Milestone, res: Result) -> list[str]:
    """Everything that says the model did not really learn ([] when it did)."""
    problems = []
    for n in res.init:
        if res.grad_missing_steps.get(n):
            problems.append(f"{n}: grad was None on {res.grad_missing_steps[n]} of {len(res.losses)} steps")
        if not res.first_grad_nonzero.get(n):
            problems.append(f"{n}: gradient was all zero (or None) on the first step")
        if np.array_equal(res.init[n], res.final[n]):
            problems.append(f"{n}: parameter never changed")
    if m.learns:
        drop = 1.0 - res.final_loss / res.initial_loss
        if not drop >= 0.9:
            problems.append(f"loss fell by {drop:.1%} ({res.initial_loss:.4g} -> {res.final_loss:.4g}), need >= 90%")
    return problems


def count_steps(m: Milestone, seed: int) -> int:
    return sum(1 for _ in m.batches(m.data(seed), seed))


def twin_losses(m: Milestone, seed: int = 0, steps: int | None = 50, dtype: str = "float64") -> tuple[list, list]:
    """Per-step losses of torch and impl trained from identical weights on identical batches.

    torch builds the model under ``torch.manual_seed(seed)``; its state_dict is copied into impl's twin by key
    (``reference.twins.copy_state_dict``, which refuses anything but identical keys, shapes and dtypes).
    """
    import torch

    import impl
    from reference.twins import copy_state_dict

    with single_threaded():
        data, t_model = setup(m, torch, seed, dtype)
        _, i_model = setup(m, impl, seed, dtype, data=data)
        copy_state_dict(t_model, i_model)
        t_losses, _, _ = fit(m, torch, t_model, data, seed, dtype, steps=steps)
        i_losses, _, _ = fit(m, impl, i_model, data, seed, dtype, steps=steps)
    return i_losses, t_losses


def max_rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(np.float64).tiny)))
