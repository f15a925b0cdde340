"""impl.nn.functional -- torch.nn.functional's names, signatures and defaults, in NumPy.

Import as ``import impl.nn.functional as F``. Split by theme: conv (linear/bilinear/conv), pooling,
normalization, activation, sparse (embedding/one_hot/dropout/pad/attention) and loss.
"""
from .activation import (
    elu,
    gelu,
    glu,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    relu,
    relu6,
    relu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
)
from .activation_extra import (
    celu,
    hardshrink,
    hardsigmoid,
    hardswish,
    prelu,
    rrelu,
    rrelu_,
    selu,
    softshrink,
    tanhshrink,
    threshold,
    threshold_,
)
from .conv import bilinear, conv1d, conv2d, linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .normalization import batch_norm, cosine_similarity, group_norm, layer_norm, normalize
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool1d, max_pool2d
from .sparse import dropout, embedding, one_hot, pad, scaled_dot_product_attention

__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "bilinear", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "conv1d", "conv2d", "cosine_similarity", "cross_entropy", "dropout",
    "elu", "embedding", "gelu", "glu", "group_norm", "hardtanh", "huber_loss", "kl_div", "l1_loss",
    "layer_norm", "leaky_relu", "linear", "log_softmax", "logsigmoid", "max_pool1d", "max_pool2d", "mish",
    "mse_loss", "nll_loss", "normalize", "one_hot", "pad", "relu", "relu6", "relu_", "scaled_dot_product_attention",
    "sigmoid", "silu", "smooth_l1_loss", "softmax", "softmin", "softplus", "softsign", "tanh",
    "celu", "hardshrink", "hardsigmoid", "hardswish", "prelu", "rrelu", "rrelu_", "selu", "softshrink", "tanhshrink",
    "threshold", "threshold_",
]
from .conv_extra import conv3d, conv_transpose1d, conv_transpose2d, fold, unfold  # noqa: E402
from .sampling import (  # noqa: E402
    adaptive_max_pool2d,
    avg_pool1d,
    interpolate,
    max_unpool2d,
    pixel_shuffle,
    pixel_unshuffle,
)

__all__ += [
    "adaptive_max_pool2d", "avg_pool1d", "conv3d", "conv_transpose1d", "conv_transpose2d", "fold", "interpolate",
    "max_unpool2d", "pixel_shuffle", "pixel_unshuffle", "unfold",
]
from .dropout_extra import alpha_dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout  # noqa: E402
from .embedding_bag import embedding_bag  # noqa: E402
from .loss_extra import (  # noqa: E402
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .normalization_extra import instance_norm, local_response_norm, rms_norm  # noqa: E402

__all__ += [
    "alpha_dropout", "cosine_embedding_loss", "dropout1d", "dropout2d", "dropout3d", "embedding_bag",
    "feature_alpha_dropout", "gaussian_nll_loss", "hinge_embedding_loss", "instance_norm", "local_response_norm",
    "margin_ranking_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss",
    "poisson_nll_loss", "rms_norm", "soft_margin_loss", "triplet_margin_loss",
]
from .extra import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    gumbel_softmax,
    max_unpool1d,
    pairwise_distance,
    upsample,
)

__all__ += ["adaptive_avg_pool1d", "adaptive_max_pool1d", "gumbel_softmax", "max_unpool1d", "pairwise_distance",
            "upsample"]
