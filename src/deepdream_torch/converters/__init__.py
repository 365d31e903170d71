"""One converter per Caffe layer type family; importing this package fills the registry."""

from deepdream_torch.converters import (  # noqa: F401  (imported for their @add_converter registrations)
    activation,
    batch_norm,
    bias,
    conv,
    eltwise,
    inner_product,
    lrn,
    normalize,
    pooling,
    shape,
    softmax,
)
from deepdream_torch.converters.registry import (
    Converter,
    add_converter,
    converter_for,
    has_converter,
    supported_types,
)

__all__ = ["Converter", "add_converter", "converter_for", "has_converter", "supported_types"]
