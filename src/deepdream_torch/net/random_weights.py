"""Random weights for a prototxt, written as a real ``.caffemodel``: for tests and timing, never for dreams.

Magnitudes follow He initialisation so activations keep a sensible scale through deep ReLU nets, which keeps
comparisons against another implementation meaningful at every depth.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from deepdream_torch.caffe.net_spec import Shape, net_spec
from deepdream_torch.caffe.prototxt import read_prototxt
from deepdream_torch.caffe.write import LayerBlobs, write_caffemodel
from deepdream_torch.net.shape_plan import plan_shapes


def random_weights(prototxt: str | Path, seed: int = 0, input_shape: Shape | None = None) -> list[LayerBlobs]:
    spec = net_spec(read_prototxt(prototxt))
    overrides = {next(iter(spec.inputs)): tuple(input_shape)} if input_shape is not None else None
    plan = plan_shapes(spec, overrides)
    rng = np.random.default_rng(seed)
    layers = []
    for layer in spec.layers:
        shapes = plan.param_shapes[layer.name]
        if shapes:
            layers.append((layer.name, layer.type, [_blob(layer.type, i, s, rng) for i, s in enumerate(shapes)]))
    return layers


def write_random_caffemodel(
    prototxt: str | Path,
    caffemodel: str | Path,
    seed: int = 0,
    input_shape: Shape | None = None,
    legacy: bool = False,
) -> Path:
    """Write random weights for every layer of ``prototxt`` that has parameters; ``legacy`` writes the V1 format."""
    write_caffemodel(caffemodel, random_weights(prototxt, seed, input_shape), legacy=legacy)
    return Path(caffemodel)


def _blob(layer_type: str, index: int, shape: Shape, rng: np.random.Generator) -> np.ndarray:
    def normal(std: float) -> np.ndarray:
        return rng.standard_normal(size=shape, dtype=np.float32) * np.float32(std)

    def uniform(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, size=shape).astype(np.float32)

    if layer_type == "BatchNorm":  # running mean sum, running variance sum, the factor they were summed with
        return (normal(0.2), uniform(0.5, 1.5), uniform(0.5, 2.0))[index]
    if layer_type == "Scale":
        return uniform(0.5, 1.5) if index == 0 else normal(0.1)
    if layer_type == "PReLU":
        return uniform(0.0, 0.5)
    if index == 0 and len(shape) >= 2:  # Convolution, Deconvolution and InnerProduct weights
        return normal(math.sqrt(2.0 / math.prod(shape[1:])))
    return normal(0.1)
