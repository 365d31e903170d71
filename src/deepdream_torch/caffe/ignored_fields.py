"""The one list of prototxt fields outside our schema that the reader skips on purpose, each with why it is safe.

Every other field the schema (caffe.proto) lacks is an error where it could change the net (see prototxt.py):
a fork's field may change what a layer computes, and dropping it silently would dream a different net. The fields
here cannot: they say how a net is trained, or which implementation runs a layer, never what the layer computes.
Fields that are in the schema but change nothing at inference (fillers, ``lr_mult``/``decay_mult``, ``blobs_lr``,
``weight_decay``, the built-in ``engine`` choices, data sources) parse normally and the converters never read them.
"""

from __future__ import annotations

_NVIDIA_PRECISION = (
    "NVIDIA's fork: the number type a layer stores or computes in on their GPUs (float16, float32); we compute in "
    "float32, the precision such a net approximates"
)

# Field name → why skipping it is safe, wherever it appears.
IGNORED_FIELDS: dict[str, str] = {
    "engine": "chooses which implementation runs the layer (Caffe's, cuDNN, Intel's MKL/MKL-DNN): same arithmetic",
    "lr_mult": "a learning-rate multiplier: training only",
    "decay_mult": "a weight-decay multiplier: training only",
    "blobs_lr": "a learning-rate multiplier (legacy name): training only",
    "weight_decay": "a weight-decay multiplier (legacy name): training only",
    "weight_filler": "how weights are initialised before training: a trained net's weights come from its caffemodel",
    "bias_filler": "how biases are initialised before training: a trained net's biases come from its caffemodel",
    "filler": "how a parameter is initialised before training: a trained net's come from its caffemodel",
    "scale_filler": "how a scale is initialised before training: a trained net's come from its caffemodel",
    "forward_type": _NVIDIA_PRECISION,
    "forward_math": _NVIDIA_PRECISION,
    "backward_type": "NVIDIA's fork: the number type of the backward pass in training",
    "backward_math": "NVIDIA's fork: the number type of the backward pass in training",
    "default_forward_type": _NVIDIA_PRECISION,
    "default_forward_math": _NVIDIA_PRECISION,
    "default_backward_type": "NVIDIA's fork: the number type of the backward pass in training",
    "default_backward_math": "NVIDIA's fork: the number type of the backward pass in training",
    "global_grad_scale": "NVIDIA's fork: gradient scaling in training",
    "multinode": "Intel's fork: how training is spread over machines",
    "mn_activation_param": "Intel's fork: how training is spread over machines",
    "mn_grad_compress_param": "Intel's fork: how gradients are compressed between machines in training",
}

# Messages whose contents only ever matter to training: any field a fork adds inside them is skipped.
IGNORED_INSIDE: dict[str, str] = {
    "FillerParameter": "a filler initialises parameters before training; a trained net's come from its caffemodel",
    "ParamSpec": "`param {}` holds a parameter's training settings (learning rate, decay, sharing by name)",
}


def ignored_reason(message: str, field: str) -> str | None:
    """Why a field named ``field`` that the schema lacks inside ``message`` (a message type name) is safe to skip,
    or None when it is not known to be."""
    return IGNORED_INSIDE.get(message) or IGNORED_FIELDS.get(field)
