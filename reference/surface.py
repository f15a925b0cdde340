"""The API surface impl means to have: torch's public names, by namespace, and how impl's signatures compare.

The names below are the ones real PyTorch code reaches for, gathered from these public sources (names as they
appear there, no value judgement beyond "a user of torch writes this"):

- the PyTorch tutorials (60-minute blitz, "Learning PyTorch with Examples", the NLP/sequence and seq2seq
  tutorials, "Language Translation with nn.Transformer", the DCGAN and neural-style tutorials);
- Karpathy's nanoGPT (model.py, train.py) and minGPT (mingpt/model.py, trainer.py);
- torchvision's ResNet (torchvision/models/resnet.py) and its transforms' tensor code;
- HuggingFace transformers' BERT and GPT-2 modeling code (modeling_bert.py, modeling_gpt2.py, activations.py);
- the Python array API standard's function list (the element-wise, sorting, searching, set, statistical and
  manipulation functions that torch names the same way);
- tinygrad's test/test_ops.py, which cross-checks every tinygrad op against the torch function of the same name;
- and every name impl exports today that torch has in the same place (``property_tests/test_surface.py`` keeps
  this list complete: an impl export torch has must be listed).

``SURFACE`` maps a namespace ("torch", "Tensor", "torch.nn.functional", ...) to the names that namespace should
hold in impl exactly where torch holds it. ``check()`` compares the lists with impl and torch: present, missing,
and signature differences of the callables present in both (``inspect.signature``: parameter names, order, kinds,
keyword-only markers and defaults; for classes the constructor's). Torch's C++ builtins (most ``torch.*``
functions and ``Tensor`` methods) expose no signature: those count as "no signature", not as a match.
``SIGNATURE_EXCEPTIONS`` lists the deliberate differences, each with its reason.
"""
from __future__ import annotations

import importlib
import inspect
import numbers
from dataclasses import dataclass, field

# namespace -> (torch's module path, impl's module path); "Tensor" is the class itself.
NAMESPACES = {
    "torch": ("torch", "impl"),
    "Tensor": ("torch.Tensor", "impl.Tensor"),
    "torch.nn.functional": ("torch.nn.functional", "impl.nn.functional"),
    "torch.nn": ("torch.nn", "impl.nn"),
    "torch.nn.init": ("torch.nn.init", "impl.nn.init"),
    "torch.nn.utils": ("torch.nn.utils", "impl.nn.utils"),
    "torch.optim": ("torch.optim", "impl.optim"),
    "torch.optim.lr_scheduler": ("torch.optim.lr_scheduler", "impl.optim.lr_scheduler"),
    "torch.autograd": ("torch.autograd", "impl.autograd"),
    "torch.autograd.functional": ("torch.autograd.functional", "impl.autograd.functional"),
    "torch.autograd.forward_ad": ("torch.autograd.forward_ad", "impl.autograd.forward_ad"),
    "torch.utils.data": ("torch.utils.data", "impl.utils.data"),
    "torch.utils.checkpoint": ("torch.utils.checkpoint", "impl.utils.checkpoint"),
}


def _names(text):
    return tuple(sorted(set(text.split())))


SURFACE = {
    # torch.*: creation, dtypes, grad mode, math, reductions, sorting/selection, indexing, linear algebra, I/O.
    "torch": _names("""
        Generator Size Tensor dtype tensor as_tensor from_numpy is_tensor is_floating_point numel
        zeros ones full empty eye arange linspace logspace zeros_like ones_like full_like empty_like
        rand randn randint randperm rand_like randn_like randint_like bernoulli multinomial normal
        manual_seed seed get_rng_state set_rng_state
        no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode is_inference_mode_enabled
        bool float double half long int float16 float32 float64 bfloat16 int8 int16 int32 int64 uint8
        short finfo iinfo promote_types result_type can_cast get_default_dtype set_default_dtype
        abs absolute neg negative sign sgn add sub subtract rsub mul multiply div divide true_divide floor_divide
        remainder fmod pow float_power square sqrt rsqrt reciprocal exp exp2 expm1 log log2 log10 log1p
        sin cos tan asin acos atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh arcsinh arccosh arctanh
        atan2 arctan2 hypot logaddexp logaddexp2 copysign erf erfc erfinv sigmoid logit xlogy relu
        floor ceil trunc round frac clamp clip clamp_min clamp_max lerp maximum minimum fmax fmin
        nan_to_num addcmul addcdiv
        eq ne lt le gt ge equal not_equal less less_equal greater greater_equal isclose allclose
        isnan isinf isfinite logical_and logical_or logical_not logical_xor
        bitwise_and bitwise_or bitwise_xor bitwise_not where
        sum mean prod amax amin max min argmax argmin var std var_mean std_mean logsumexp norm all any
        count_nonzero nansum nanmean cumsum cumprod cummax cummin logcumsumexp
        softmax log_softmax
        topk sort argsort msort kthvalue median nanmedian mode unique unique_consecutive searchsorted bucketize
        cat concat concatenate stack hstack vstack split chunk unbind tensor_split reshape flatten unflatten
        permute transpose swapaxes swapdims movedim moveaxis squeeze unsqueeze t narrow select broadcast_to
        broadcast_tensors flip fliplr flipud roll rot90 tile repeat_interleave tril triu diag diag_embed diagonal
        diagflat meshgrid masked_fill masked_select nonzero argwhere gather scatter scatter_add scatter_reduce
        index_select index_add index_copy index_fill index_put take take_along_dim clone
        matmul mm bmm mv dot outer ger addmm addbmm baddbmm einsum cdist cross trace kron tensordot
        save load
    """),
    # Tensor methods and attributes: the torch.* functions above that torch also binds as methods, plus the
    # Tensor-only API (views, in-place ops, conversions, autograd attributes, Python operators).
    "Tensor": _names("""
        T mT shape ndim dtype device data grad grad_fn is_leaf requires_grad retains_grad
        dim size numel nelement element_size item tolist numpy cpu to type type_as contiguous is_floating_point
        bool float double half long int bfloat16 short char byte
        backward detach detach_ requires_grad_ retain_grad register_hook register_post_accumulate_grad_hook
        is_inference
        new_zeros new_ones new_full new_empty new_tensor clone copy_ zero_ fill_ uniform_ normal_ bernoulli
        multinomial
        view view_as reshape reshape_as expand expand_as repeat repeat_interleave tile unfold flatten unflatten
        permute transpose swapaxes swapdims movedim moveaxis squeeze unsqueeze t narrow select split chunk unbind
        flip roll tril triu diag diag_embed diagonal broadcast_to masked_fill masked_fill_ masked_select nonzero
        gather scatter scatter_ scatter_add scatter_add_ scatter_reduce scatter_reduce_ index_select index_add
        index_add_ index_copy index_copy_ index_fill index_fill_ index_put index_put_ take_along_dim
        abs absolute neg negative sign sgn add sub subtract mul multiply div divide true_divide floor_divide
        remainder fmod pow square sqrt rsqrt reciprocal exp exp2 expm1 log log2 log10 log1p
        sin cos tan asin acos atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh
        atan2 arctan2 hypot logaddexp copysign erf erfc erfinv sigmoid logit xlogy relu
        floor ceil trunc round frac clamp clip clamp_min clamp_max lerp maximum minimum nan_to_num addcmul addcdiv
        eq ne lt le gt ge equal not_equal less less_equal greater greater_equal isclose allclose
        isnan isinf isfinite logical_and logical_or logical_not logical_xor
        bitwise_and bitwise_or bitwise_xor bitwise_not where
        sum mean prod amax amin max min argmax argmin var std logsumexp norm all any count_nonzero
        cumsum cumprod cummax cummin logcumsumexp softmax log_softmax
        topk sort argsort msort kthvalue median nanmedian mode unique unique_consecutive
        matmul mm bmm mv dot outer ger addmm baddbmm
        add_ sub_ mul_ div_ pow_ clamp_ clip_ relu_ neg_ exp_ sqrt_ sigmoid_ tanh_ abs_ lerp_ addcmul_ addcdiv_
        __getitem__ __setitem__ __len__ __iter__ __bool__ __float__ __int__ __index__ __array__ __deepcopy__
        __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__ __rtruediv__
        __itruediv__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __ipow__ __matmul__ __rmatmul__
        __neg__ __pos__ __abs__ __invert__ __and__ __rand__ __or__ __ror__ __xor__ __rxor__
        __eq__ __ne__ __lt__ __le__ __gt__ __ge__
        take nansum nanmean fliplr flipud diagflat logaddexp2
    """),
    "torch.nn.functional": _names("""
        linear bilinear conv1d conv2d conv3d conv_transpose1d conv_transpose2d unfold fold pixel_shuffle
        pixel_unshuffle interpolate upsample pad
        avg_pool1d avg_pool2d max_pool1d max_pool2d adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d
        adaptive_max_pool2d max_unpool1d max_unpool2d
        relu relu_ relu6 leaky_relu elu selu celu gelu silu mish sigmoid tanh softplus softsign hardtanh
        hardsigmoid hardswish prelu glu logsigmoid tanhshrink softshrink hardshrink threshold
        softmax softmin log_softmax gumbel_softmax
        dropout dropout1d dropout2d dropout3d alpha_dropout feature_alpha_dropout
        batch_norm layer_norm group_norm instance_norm rms_norm local_response_norm normalize
        embedding embedding_bag one_hot cosine_similarity pairwise_distance scaled_dot_product_attention
        mse_loss l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
        binary_cross_entropy_with_logits kl_div margin_ranking_loss hinge_embedding_loss triplet_margin_loss
        cosine_embedding_loss poisson_nll_loss gaussian_nll_loss soft_margin_loss multilabel_soft_margin_loss multilabel_margin_loss
        multi_margin_loss
    """),
    "torch.nn": _names("""
        Module Parameter Buffer Sequential ModuleList ModuleDict ParameterList ParameterDict Identity
        Linear Bilinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d Unfold Fold Flatten Unflatten
        Upsample PixelShuffle PixelUnshuffle
        AvgPool1d AvgPool2d MaxPool1d MaxPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d
        AdaptiveMaxPool2d MaxUnpool2d
        ZeroPad2d ConstantPad1d ConstantPad2d ReflectionPad1d ReflectionPad2d ReplicationPad1d ReplicationPad2d
        ReLU ReLU6 LeakyReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Softplus Softsign Hardtanh Hardsigmoid
        Hardswish PReLU GLU LogSigmoid Tanhshrink Softmax Softmin LogSoftmax
        Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout
        BatchNorm1d BatchNorm2d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d InstanceNorm3d RMSNorm LocalResponseNorm
        Embedding EmbeddingBag CosineSimilarity PairwiseDistance
        RNNBase RNNCellBase RNN LSTM GRU RNNCell LSTMCell GRUCell
        MultiheadAttention Transformer TransformerEncoder TransformerEncoderLayer TransformerDecoder
        TransformerDecoderLayer
        MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss KLDivLoss
        MarginRankingLoss HingeEmbeddingLoss TripletMarginLoss CosineEmbeddingLoss PoissonNLLLoss GaussianNLLLoss
        SoftMarginLoss MultiLabelSoftMarginLoss MultiLabelMarginLoss MultiMarginLoss
    """),
    "torch.nn.init": _names("""
        calculate_gain uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_ xavier_uniform_
        xavier_normal_ kaiming_uniform_ kaiming_normal_ orthogonal_
    """),
    "torch.nn.utils": _names("""
        clip_grad_norm_ clip_grad_norm clip_grad_value_ parameters_to_vector vector_to_parameters
    """),
    "torch.optim": _names("Optimizer SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam ASGD LBFGS"),
    "torch.optim.lr_scheduler": _names("""
        LRScheduler LambdaLR MultiplicativeLR StepLR MultiStepLR ConstantLR LinearLR ExponentialLR PolynomialLR
        CosineAnnealingLR CosineAnnealingWarmRestarts CyclicLR OneCycleLR ReduceLROnPlateau SequentialLR
        ChainedScheduler
    """),
    "torch.autograd": _names("""
        Function grad backward gradcheck gradgradcheck no_grad enable_grad set_grad_enabled inference_mode
        detect_anomaly set_detect_anomaly
    """),
    "torch.autograd.functional": _names("vjp jvp jacobian hessian vhp hvp"),
    "torch.autograd.forward_ad": _names("dual_level make_dual unpack_dual UnpackedDualTensor enter_dual_level exit_dual_level"),
    "torch.utils.data": _names("""
        Dataset IterableDataset TensorDataset ConcatDataset ChainDataset Subset random_split DataLoader
        Sampler SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler BatchSampler
        default_collate default_convert get_worker_info
    """),
    "torch.utils.checkpoint": _names("checkpoint noop_context_fn"),
}

# Deliberate signature differences: (namespace, name) -> reason. Each must still differ (the surface test fails on
# a stale entry), so the table only ever lists differences that exist.
SIGNATURE_EXCEPTIONS: dict = {
    ("torch", "dtype"): "impl builds its dtype objects from a name and a numpy dtype; torch's dtype cannot be "
                        "constructed from Python at all (TypeError), so no user call can tell the difference",
    ("Tensor", "__array__"): "numpy 2's __array__ protocol passes copy=; accepting it keeps np.asarray(t, copy=...) "
                             "free of numpy's DeprecationWarning (torch's tensors warn there)",
    ("torch.utils.data", "random_split"): "torch's default is its global default_generator object; impl's None "
                                          "means impl's global generator (impl.manual_seed seeds it): the same "
                                          "behaviour, and impl has no generator object to name as the default",
}

# impl/ops/math.py and its in-place variants, the Tensor new_*/layout methods, more activations (activation_extra)
_MATH_AND_ACTIVATIONS = {
    "torch": "addmv deg2rad digamma dist fix gcd isneginf isposinf lcm lgamma polygamma rad2deg signbit sinc",
    "Tensor": """absolute_ acos_ acosh_ addbmm addbmm_ addmm_ addmv addmv_ arccos_ arccosh arccosh_ arcsin_ arcsinh
        arcsinh_ arctan2_ arctan_ arctanh arctanh_ asin_ asinh_ atan2_ atan_ atanh_ baddbmm_ ceil_ clamp_max_
        clamp_min_ copysign_ cos_ cosh_ deg2rad deg2rad_ digamma digamma_ dist erf_ erfc_ erfinv_ exp2_ expm1_
        fill_diagonal_ fix fix_ float_power float_power_ floor_ fmax fmin fmod_ frac_ gcd gcd_ hypot_ is_contiguous
        isneginf isposinf itemsize lcm lcm_ lgamma lgamma_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ nbytes
        nanmean nansum negative_ polygamma polygamma_ rad2deg rad2deg_ reciprocal_ remainder_ round_ rsqrt_ sign_ signbit sin_ sinc
        sinc_ sinh_ square_ storage_offset stride tan_ tril_ triu_ trunc_ xlogy_""",
    "torch.nn.functional": "rrelu rrelu_ threshold_",
    "torch.nn": "Hardshrink RReLU Softmax2d Softshrink Threshold",
}
for _ns, _extra in _MATH_AND_ACTIVATIONS.items():
    SURFACE[_ns] = _names(" ".join(SURFACE[_ns]) + " " + _extra)

# impl/ops/combine.py and scatter.py (the combination and scatter families), the padding and upsampling layers
_COMBINE_AND_LAYERS = {
    "torch": """atleast_1d atleast_2d atleast_3d block_diag cartesian_prod column_stack combinations diff dsplit dstack
        hsplit masked_scatter ravel tril_indices triu_indices vsplit""",
    "Tensor": "argwhere cross diff dsplit hsplit kron masked_scatter masked_scatter_ ravel rot90 tensor_split trace vsplit",
    "torch.nn": "CircularPad1d CircularPad2d UpsamplingBilinear2d UpsamplingNearest2d ZeroPad1d",
}
for _ns, _extra in _COMBINE_AND_LAYERS.items():
    SURFACE[_ns] = _names(" ".join(SURFACE[_ns]) + " " + _extra)

# torch's anomaly-mode queries (top level only: torch.autograd does not export them)
_AUTOGRAD_QUERIES = {"torch": "is_anomaly_enabled is_anomaly_check_nan_enabled"}
for _ns, _extra in _AUTOGRAD_QUERIES.items():
    SURFACE[_ns] = _names(" ".join(SURFACE[_ns]) + " " + _extra)

# Attributes every Python object has: never part of the surface, never "impl exports that torch has".
OBJECT_ATTRIBUTES = frozenset(dir(object)) | {"__annotations__", "__dict__", "__module__", "__weakref__",
                                              "__slots__", "__array_priority__", "__getstate__", "__reduce__",
                                              # copyreg caches it on a class with __slots__ at the first copy/pickle
                                              "__slotnames__"}


def resolve(path):
    """The module or class at a dotted path ("torch.Tensor", "impl.nn"); None if it does not exist."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def owners(namespace):
    """(torch's owner, impl's owner) of a namespace; impl's is None where impl lacks the module."""
    t, i = NAMESPACES[namespace]
    return resolve(t), resolve(i)


def lookup(owner, name):
    """``owner.name`` as declared (a property object, not its value, for class attributes); None if absent."""
    if owner is None:
        return None
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if name in vars(klass):
                return vars(klass)[name]
        return None
    return getattr(owner, name, None) if hasattr(owner, name) else None


# ---- signatures -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # positional-only / positional-or-keyword / *args / keyword-only / **kwargs
    default: str  # the default as comparable text (see _norm_default); "<required>" when there is none

    def __str__(self):
        if self.kind == "*args":
            return f"*{self.name}"
        if self.kind == "**kwargs":
            return f"**{self.name}"
        mark = "kw-only " if self.kind == "keyword-only" else "pos-only " if self.kind == "positional-only" else ""
        return mark + self.name + ("" if self.default == "<required>" else f"={self.default}")


_KIND = {inspect.Parameter.POSITIONAL_ONLY: "positional-only",
         inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional-or-keyword",
         inspect.Parameter.VAR_POSITIONAL: "*args", inspect.Parameter.KEYWORD_ONLY: "keyword-only",
         inspect.Parameter.VAR_KEYWORD: "**kwargs"}


def _norm_default(d):
    """A default as comparable text: numbers by value (1 and 1.0 agree) but bool apart from int, strings quoted,
    dtypes by name (torch.float32 and impl.float32 agree), other objects by their type's name."""
    if d is inspect.Parameter.empty:
        return "<required>"
    if d is None or isinstance(d, bool):
        return repr(d)
    if isinstance(d, str):
        return repr(d)
    if isinstance(d, numbers.Number):
        return repr(float(d))
    if isinstance(d, (tuple, list)):
        return "(" + ", ".join(_norm_default(x) for x in d) + ")"
    text = str(d)
    return text.split(".", 1)[1] if text.startswith(("torch.", "impl.")) else f"<{type(d).__name__}>"


def signature_of(obj, drop_self=False):
    """[Param] of a callable (a class: its constructor), or None where there is no introspectable signature:
    C++ builtins, and wrappers that expose only ``(*args, **kwargs)``."""
    if isinstance(obj, (property, classmethod, staticmethod)):
        return None
    if not callable(obj):
        return None
    try:
        sig = inspect.signature(obj)
    except (ValueError, TypeError):
        return None
    params = [Param(p.name, _KIND[p.kind], _norm_default(p.default)) for p in sig.parameters.values()]
    if drop_self and params and params[0].kind in ("positional-only", "positional-or-keyword"):
        params = params[1:]  # torch's methods call it self, impl's ops bound as methods call it input
    if all(p.kind in ("*args", "**kwargs") for p in params) and params:
        return None
    return params


def signature_diff(torch_params, impl_params):
    """Every difference between two parameter lists, one readable line each (empty: they agree)."""
    out = []
    for k in range(max(len(torch_params), len(impl_params))):
        t = torch_params[k] if k < len(torch_params) else None
        i = impl_params[k] if k < len(impl_params) else None
        if t == i:
            continue
        if i is None:
            out.append(f"missing parameter #{k} {t}")
        elif t is None:
            out.append(f"extra parameter #{k} {i}")
        else:
            what = [w for w, a, b in (("name", t.name, i.name), ("kind", t.kind, i.kind),
                                      ("default", t.default, i.default)) if a != b]
            out.append(f"parameter #{k}: torch {t} vs impl {i} ({', '.join(what)} differ)")
    return out


# ---- the comparison -------------------------------------------------------------------------------------
@dataclass
class SurfaceResult:
    present: dict = field(default_factory=dict)  # namespace -> [names]
    missing: dict = field(default_factory=dict)  # namespace -> [names]
    matching: dict = field(default_factory=dict)  # namespace -> [names whose signatures agree]
    no_signature: dict = field(default_factory=dict)  # namespace -> [names torch exposes no signature for]
    differences: dict = field(default_factory=dict)  # (namespace, name) -> [diff lines] (exceptions excluded)
    excepted: dict = field(default_factory=dict)  # (namespace, name) -> [diff lines] listed in SIGNATURE_EXCEPTIONS
    not_in_torch: dict = field(default_factory=dict)  # namespace -> [listed names torch lacks] (list typos)

    def count(self, table):
        return sum(len(v) for v in table.values())

    def counts(self) -> dict:
        return {"listed": self.count(self.present) + self.count(self.missing), "present": self.count(self.present),
                "missing": self.count(self.missing), "signatures compared": self.count(self.matching) + len(
                    self.differences) + len(self.excepted), "signatures equal": self.count(self.matching),
                "signature differences": len(self.differences), "deliberate differences": len(self.excepted),
                "no signature in torch": self.count(self.no_signature)}

    def missing_names(self) -> list:
        return [_qual(ns, n) for ns, names in self.missing.items() for n in names]


def _qual(namespace, name):
    return f"{namespace}.{name}"


def check(surface=None, exceptions=None) -> SurfaceResult:
    """Compare ``surface`` (default SURFACE) with impl and torch."""
    surface = SURFACE if surface is None else surface
    exceptions = SIGNATURE_EXCEPTIONS if exceptions is None else exceptions
    res = SurfaceResult()
    for ns, names in surface.items():
        t_owner, i_owner = owners(ns)
        for name in names:
            t_obj, i_obj = lookup(t_owner, name), lookup(i_owner, name)
            if t_obj is None:
                res.not_in_torch.setdefault(ns, []).append(name)
                continue
            if i_obj is None:
                res.missing.setdefault(ns, []).append(name)
                continue
            res.present.setdefault(ns, []).append(name)
            is_method = ns == "Tensor"
            t_sig = signature_of(t_obj, drop_self=is_method)
            if t_sig is None:
                res.no_signature.setdefault(ns, []).append(name)
                continue
            i_sig = signature_of(i_obj, drop_self=is_method)
            diff = signature_diff(t_sig, i_sig) if i_sig is not None else ["impl exposes no signature"]
            if not diff:
                res.matching.setdefault(ns, []).append(name)
            elif (ns, name) in exceptions:
                res.excepted[(ns, name)] = diff
            else:
                res.differences[(ns, name)] = diff
    return res


def shared_exports():
    """{namespace: names} impl exports today that torch has in the same namespace (modules excluded)."""
    import types

    out = {}
    for ns in NAMESPACES:
        t_owner, i_owner = owners(ns)
        if i_owner is None:
            continue
        if isinstance(i_owner, type):
            names = [n for n in dir(i_owner) if n not in OBJECT_ATTRIBUTES and (not n.startswith("_") or (
                n.startswith("__") and n.endswith("__")))]
        else:
            public = getattr(t_owner, "__all__", None)
            names = [n for n in dir(i_owner) if not n.startswith("_") and (public is None or n in public)]
        out[ns] = sorted(n for n in names if lookup(t_owner, n) is not None
                         and not isinstance(lookup(i_owner, n), types.ModuleType)
                         and _defined_by(t_owner, n))
    return out


def _defined_by(owner, name):
    """A name torch's module defines or re-exports as API, not a helper it happens to import (typing's
    ``annotations``, ``bisect_right``, the ``Tensor`` class inside torch.optim.lr_scheduler)."""
    import types

    if isinstance(owner, type):
        return True
    obj = getattr(owner, name)
    if isinstance(obj, types.ModuleType) or name == "annotations":
        return False
    public = getattr(owner, "__all__", None)
    return public is None or name in public


def namespace_rows(res: SurfaceResult) -> list:
    """[(namespace, listed, present, missing, signatures equal, signature differences, no signature in torch)]."""
    rows = []
    for ns, names in SURFACE.items():
        diffs = sum(1 for (n, _) in res.differences if n == ns)
        rows.append((ns, len(names), len(res.present.get(ns, [])), len(res.missing.get(ns, [])),
                     len(res.matching.get(ns, [])), diffs, len(res.no_signature.get(ns, []))))
    return rows


def summary_lines(res: SurfaceResult, limit=None) -> list:
    """The surface section as plain text lines (used by reference.parity and the report)."""
    c = res.counts()
    lines = [f"listed {c['listed']}: present {c['present']}, missing {c['missing']}; signatures compared "
             f"{c['signatures compared']} (equal {c['signatures equal']}, different {c['signature differences']}, "
             f"deliberate {c['deliberate differences']}), no signature in torch {c['no signature in torch']}"]
    for ns in SURFACE:
        missing = res.missing.get(ns, [])
        if missing:
            shown = missing if limit is None else missing[:limit]
            more = "" if len(shown) == len(missing) else f" (+{len(missing) - len(shown)} more)"
            lines.append(f"missing from impl, {ns}.* ({len(missing)}): {' '.join(shown)}{more}")
    for (ns, name), diff in res.differences.items():
        lines.append(f"signature differs: {_qual(ns, name)}: " + "; ".join(diff))
    return lines
