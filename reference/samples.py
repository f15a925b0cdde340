"""Each spec's examples, drawn once per process and shared by every generic check, and the tally of what the checks
compared.

Drawing is most of what a generic check costs: hypothesis' engine spends ~5-10 ms producing one structured sample,
while a forward-and-VJP comparison on it takes ~2 ms. Before, each generic test (forward/VJP, gradcheck,
non-contiguous, in-place on output, gradgrad, forward AD, saved tensors) drew its own examples of the same spec from
the same strategy under the same derandomized seed, so mostly the same samples, seven times over. Now the profile's
``max_examples`` samples of a spec are drawn once (derandomized under the ``ci`` profile, random under ``thorough``)
and every check runs on all of them or on an evenly spread subset (``spread``), so a cheaper check still sees the
large and the small cases. The tests that shard by spec share the draw through pytest-xdist's ``loadgroup``
(``spec_group``).

What is lost against running each check under ``@given``: hypothesis no longer shrinks a failing sample. The failure
message names the sample (its index, shapes, dtypes, keyword arguments) and the check prints a reproducer with the
literal arrays, which is what shrinking was for; `HYPOTHESIS_PROFILE=thorough` draws new samples.

``record`` counts each check's outcome per test ("forward float32: checked", "gradcheck: skipped (empty output)");
the root conftest sums the counts over the run (also across xdist workers) and prints them at the end, so the
number of examples that really compared something is part of every run's output.
"""
from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import settings
from hypothesis.control import currently_in_test_context, event

from reference.assertions import over_examples

# The outcomes recorded by the running test (the root conftest resets it before each test and collects it after).
TALLY: Counter = Counter()


def record(label: str) -> None:
    """Count one outcome of one check on one example; inside a hypothesis test also a hypothesis ``event``."""
    TALLY[label] += 1
    if currently_in_test_context():
        event(label)


_DRAWN: dict = {}  # spec name -> its samples, for this process


def _drawn(spec):
    if spec.name not in _DRAWN:  # the active profile's settings: derandomized under ci, random under thorough
        _DRAWN[spec.name] = tuple(over_examples(spec.sample, lambda sample: sample))
    return _DRAWN[spec.name]


def spread(items, n):
    """``n`` items evenly spaced over ``items`` (first and last included), or all of them when there are fewer."""
    items = list(items)
    if n >= len(items):
        return items
    if n == 1:
        return items[:1]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def samples_of(spec, n=None, prefer=None) -> list:
    """The spec's samples: all the profile's examples, or ``n`` of them spread evenly over the draw -- over the
    samples ``prefer(sample)`` accepts first, when given (the others fill up to ``n``; draw order kept)."""
    drawn = _drawn(spec)
    if n is None:
        return list(drawn)
    if prefer is None:
        return spread(drawn, n)
    good = [i for i, s in enumerate(drawn) if prefer(s)]
    chosen = spread(good, n)
    if len(chosen) < n:
        taken = set(good)
        chosen += spread([i for i in range(len(drawn)) if i not in taken], n - len(chosen))
    return [drawn[i] for i in sorted(chosen)]


def over_samples(spec, body, n=None, prefer=None) -> list:
    """``body(sample)`` on each of ``samples_of(spec, n, prefer)``; returns what it returned, in order. A failure
    names the sample it failed on (the check's own message carries the reproducer)."""
    samples = samples_of(spec, n, prefer)
    results = []
    for i, s in enumerate(samples):
        try:
            results.append(body(s))
        except AssertionError as e:
            raise AssertionError(f"{spec.name}: sample {i + 1} of {len(samples)} ({s!r}):\n{e}") from None
    return results


# The example counts written in the tests ("10 of them", ``fraction(10)``) are per this many of the profile's
# ``max_examples``: under ``ci`` (20) each test runs 4/5 of the count it names, under ``thorough`` (300) 12 times it.
PER = 25


def fraction(n: int, at_least: int = 1) -> int:
    """``n`` examples per ``PER`` of the active profile's, rounded up, at least ``at_least``: what the checks that
    cost more than forward-and-VJP run on, and the hypothesis tests of modules, optimizers and models."""
    return max(at_least, math.ceil(settings.default.max_examples * n / PER))


def spec_group(spec):
    """pytest mark: every generic test of one spec on one xdist worker, so the spec's samples are drawn once."""
    return pytest.mark.xdist_group(f"spec:{spec.name}")
