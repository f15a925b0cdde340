"""The in-place Tensor variants torch has for the math ops (``x.asin_()``, ``x.addcmul_(a, b)``, ``x.lerp_(y, w)``,
...), each through impl/ops/inplace.py's machinery: version counter bumped, history taken over, views' bases
rewritten. Methods only (``function=False``), as torch documents them."""
from .._autograd import apply
from . import elementwise as ew
from . import math as m
from . import shape
from ._registry import op
from .inplace import inplace


def _declare(name, fn, method_aliases=()):
    def method(self, *args, **kwargs):
        return inplace(self, name, fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``: writes the result into ``self``."
    return op(name, function=False, method_aliases=method_aliases)(method)


def _underivable(fn, name):
    """torch has no derivative for the in-place asinh_/acosh_/atanh_: the forward runs, the backward raises."""
    def run(self):
        out = fn(self)
        if not out.requires_grad:
            return out

        def backward(g):
            raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not implemented.")

        return apply(name.capitalize() + "Backward1", out._data, (out,), backward)

    return run


def _float_power_into(self, exponent):
    # torch computes in float64 and refuses to write that into a tensor of another dtype
    if self._data.dtype.kind != "f" or self._data.dtype.itemsize != 8:
        raise RuntimeError(f"float_power_: the base given to float_power_ has dtype {self.dtype} but the operation's "
                           "result requires dtype Double")
    return m.float_power(self, exponent)


# name_ -> (out-of-place op, aliases of the method)
_VARIANTS = {
    "asin_": (m.asin, ("arcsin_",)), "acos_": (m.acos, ("arccos_",)), "atan_": (m.atan, ("arctan_",)),
    "sinh_": (m.sinh, ()), "cosh_": (m.cosh, ()), "asinh_": (_underivable(m.asinh, "asinh"), ("arcsinh_",)),
    "acosh_": (_underivable(m.acosh, "acosh"), ("arccosh_",)), "atanh_": (_underivable(m.atanh, "atanh"), ("arctanh_",)),
    "erf_": (m.erf, ()), "erfc_": (m.erfc, ()), "erfinv_": (m.erfinv, ()), "lgamma_": (m.lgamma, ()),
    "digamma_": (m.digamma, ()), "polygamma_": (lambda self, n: m.polygamma(n, self), ()),
    "copysign_": (m.copysign, ()), "xlogy_": (m.xlogy, ()), "logit_": (m.logit, ()), "nan_to_num_": (m.nan_to_num, ()),
    "frac_": (m.frac, ()), "fix_": (m.fix, ()), "sinc_": (m.sinc, ()), "deg2rad_": (m.deg2rad, ()),
    "rad2deg_": (m.rad2deg, ()), "float_power_": (_float_power_into, ()), "gcd_": (m.gcd, ()), "lcm_": (m.lcm, ()),
    "addmm_": (m.addmm, ()), "addmv_": (m.addmv, ()), "addbmm_": (m.addbmm, ()), "baddbmm_": (m.baddbmm, ()),
    "addcmul_": (m.addcmul, ()), "addcdiv_": (m.addcdiv, ()),
    # in-place forms of ops declared elsewhere that impl did not have yet
    "lerp_": (ew.lerp, ()), "hypot_": (ew.hypot, ()), "atan2_": (ew.atan2, ("arctan2_",)), "fmod_": (ew.fmod, ()),
    "remainder_": (ew.remainder, ()), "sign_": (ew.sign, ()), "abs_": (ew.abs, ("absolute_",)),
    "negative_": (ew.neg, ()), "log_": (ew.log, ()), "log2_": (ew.log2, ()), "log10_": (ew.log10, ()),
    "log1p_": (ew.log1p, ()), "exp2_": (ew.exp2, ()), "expm1_": (ew.expm1, ()), "sigmoid_": (ew.sigmoid, ()),
    "tanh_": (ew.tanh, ()), "sin_": (ew.sin, ()), "cos_": (ew.cos, ()), "tan_": (ew.tan, ()),
    "floor_": (ew.floor, ()), "ceil_": (ew.ceil, ()), "round_": (ew.round, ()), "trunc_": (ew.trunc, ()),
    "reciprocal_": (ew.reciprocal, ()), "rsqrt_": (ew.rsqrt, ()), "square_": (ew.square, ()),
    "clamp_min_": (ew.clamp_min, ()), "clamp_max_": (ew.clamp_max, ()),
    "tril_": (shape.tril, ()), "triu_": (shape.triu, ()),
}

for _name, (_fn, _aliases) in _VARIANTS.items():
    globals()[_name] = _declare(_name, _fn, _aliases)
