"""Transposed convolution, unfold/fold, interpolate and the extra pooling ops: properties and torch conventions
that the generic OpSpec template does not express (adjointness, nan and tie winners, exact known values)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from reference import targets

TARGET = targets.current()
lib = TARGET.lib  # the library under test (impl by default)
F = lib.nn.functional


def tensor(a):
    return TARGET.tensor_from_numpy(np.asarray(a))


def numpy(t):
    return np.array(TARGET.to_numpy(t), copy=True)


def test_conv_transpose_is_the_adjoint_of_conv():
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for the same stride/padding/dilation/groups (the shapes
    line up through output_padding): the defining property, checked in float64 on the target alone."""
    rng = np.random.default_rng(0)
    for stride, pad, dil, groups in [(1, 0, 1, 1), (2, 1, 1, 2), (3, 2, 2, 1), ((2, 1), (0, 1), (1, 2), 2)]:
        x = tensor(rng.standard_normal((2, 4, 9, 8)))
        w = tensor(rng.standard_normal((6, 4 // groups, 3, 2)))
        conv = F.conv2d(x, w, stride=stride, padding=pad, dilation=dil, groups=groups)
        y = tensor(rng.standard_normal(tuple(conv.shape)))
        back = F.conv_transpose2d(y, w, stride=stride, padding=pad, dilation=dil, groups=groups)
        extra = tuple(a - b for a, b in zip(x.shape[2:], back.shape[2:]))  # rows the strided conv never reached
        back = F.conv_transpose2d(y, w, stride=stride, padding=pad, output_padding=extra, dilation=dil, groups=groups)
        lhs, rhs = float((conv * y).sum()), float((x * back).sum())
        assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (stride, pad, dil, groups, lhs, rhs)


def test_fold_of_unfold_counts_the_blocks_covering_each_pixel():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 7))
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    back = numpy(F.fold(F.unfold(tensor(x), **kw), (6, 7), **kw))
    counts = numpy(F.fold(F.unfold(lib.ones(1, 1, 6, 7, dtype=lib.float64), **kw), (6, 7), **kw))
    np.testing.assert_allclose(back, x * counts, rtol=1e-12)
    np.testing.assert_array_equal(counts, TF.fold(TF.unfold(torch.ones(1, 1, 6, 7, dtype=torch.float64), **kw), (6, 7), **kw))


def test_adaptive_max_pool2d_winners_are_torchs():
    """First maximum on ties; where a window holds nan, the last nan (torch's CPU kernel), in values and indices."""
    x = np.array([[[1.0, 3.0, 3.0, 0.0, 2.0],
                   [3.0, np.nan, 1.0, np.nan, 2.0],
                   [0.0, 0.0, 0.0, 5.0, 5.0]]])
    for size in [1, 2, (2, 3), (3, 4), (None, 2)]:
        vi, ii = F.adaptive_max_pool2d(tensor(x), size, return_indices=True)
        vt, it = TF.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
        np.testing.assert_array_equal(numpy(ii), it.numpy(), err_msg=f"indices, output_size={size}")
        np.testing.assert_array_equal(numpy(vi), vt.numpy(), err_msg=f"values, output_size={size}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_exact_cases(dtype):
    """nearest x2 repeats every pixel; bilinear with align_corners=True keeps the corners; a size-preserving
    resample is the identity (a new tensor, not the input)."""
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4)).astype(dtype)
    xi = tensor(x)
    np.testing.assert_array_equal(numpy(F.interpolate(xi, scale_factor=2)), x.repeat(2, axis=2).repeat(2, axis=3))
    up = numpy(F.interpolate(xi, size=(7, 9), mode="bilinear", align_corners=True))
    np.testing.assert_allclose(up[..., [0, 0, -1, -1], [0, -1, 0, -1]], x[..., [0, 0, -1, -1], [0, -1, 0, -1]], rtol=1e-6)
    for mode in ("nearest", "bilinear", "bicubic", "area"):
        same = F.interpolate(xi, size=(3, 4), mode=mode)
        assert same is not xi
        np.testing.assert_allclose(numpy(same), x, rtol=1e-6, atol=1e-6, err_msg=mode)
