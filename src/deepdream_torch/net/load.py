"""``load_caffe``: a Caffe deploy prototxt and its caffemodel as a ``torch.nn.Module`` (see ``CaffeNet``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from deepdream_torch.caffe.caffemodel import BlobData, LayerWeights, read_caffemodel
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, NetSpec, Shape, net_spec
from deepdream_torch.caffe.prototxt import read_prototxt
from deepdream_torch.converters import converter_for
from deepdream_torch.net.caffe_net import CaffeNet, Step
from deepdream_torch.net.shape_plan import Blocker, ShapePlan, plan_shapes


def load_caffe(
    prototxt: str | Path,
    caffemodel: str | Path | None = None,
    input_shape: Shape | None = None,
    *,
    meta: bool = False,
) -> CaffeNet:
    """Convert a Caffe net. Without a caffemodel the parameters are zeros, ready for ``load_state_dict``.

    ``meta=True`` (no caffemodel): placeholder parameters on the meta device, shapes without values, so that a net
    is listed (blob names and shapes) without allocating its weights, however large the prototxt says they are.

    ``input_shape`` overrides the (N, C, H, W) the prototxt declares for its first input (the net still runs on any
    size Caffe would accept; the declared size only fixes InnerProduct input counts and the reported blob shapes).
    """
    spec = net_spec(read_prototxt(prototxt))
    weights = read_caffemodel(caffemodel) if caffemodel is not None else None
    first = next(iter(spec.inputs))
    if input_shape is not None:
        overrides = {first: tuple(input_shape)}
    elif spec.from_data_layer and spec.inputs[first] is None:  # a train/test net whose data layer gives no size
        overrides = {first: _picture_size(spec, first, weights)}
        spec.notes[0] = spec.notes[0].replace(
            "size not declared", f"size not declared: {'×'.join(map(str, overrides[first][1:]))} chosen"
            + (" to fit the caffemodel" if weights is not None else "; pass input_shape to change")
        )
    elif spec.from_data_layer:  # the data layer says the size; its channels (1 for MNIST) only the weights say
        declared = spec.inputs[first]
        overrides = {first: (declared[0], _channels(spec, first, weights, declared[1]), *declared[2:])}
    else:
        overrides = None
    return build_net(spec, weights, overrides, meta=meta)


DEFAULT_SIDE = 224  # a train/test net's input side when nothing (data layer, caffemodel) says otherwise


def _channels(spec: NetSpec, name: str, weights: dict[str, LayerWeights] | None, default: int) -> int:
    """The input's channel count as the caffemodel's first convolution reading it has it, else ``default``."""
    reader = next((layer for layer in spec.layers if name in layer.bottoms and layer.type == "Convolution"), None)
    if weights is None or reader is None or reader.name not in weights or not weights[reader.name].blobs:
        return default
    blob = weights[reader.name].blobs[0]
    if len(blob.shape) != 4:
        return default
    return int(blob.shape[1]) * max(1, int(reader.param("convolution_param").group))


def _picture_size(spec: NetSpec, name: str, weights: dict[str, LayerWeights] | None) -> Shape:
    """(1, C, H, H) for a train/test net's undeclared input: C from the weights of the first layer that reads
    it (3 without a caffemodel); H the side at which every weight blob fits, found by bisection on the first
    blob whose size grows with the input (a fully connected layer's), else ``DEFAULT_SIDE``."""
    channels = _channels(spec, name, weights, 3)

    def misfit(side: int) -> int:
        """-1 / 0 / +1: the first size-dependent weight blob at this side is smaller than / as / larger than
        the caffemodel's (0 also when every blob fits, or the side is too small to run)."""
        try:
            plan = plan_shapes(spec, {name: (1, channels, side, side)})
        except CaffeFormatError:
            return -1
        for layer in spec.layers:
            given = weights.get(layer.name) if weights is not None else None
            for shape, blob in zip(plan.param_shapes[layer.name], given.blobs if given else []):
                count, wanted = int(np.prod(shape)), blob.values.size
                if count != wanted:
                    return -1 if count < wanted else 1
        return 0

    if weights is None or misfit(DEFAULT_SIDE) == 0:
        return (1, channels, DEFAULT_SIDE, DEFAULT_SIDE)
    low, high = 1, 2048
    while low < high:
        middle = (low + high) // 2
        if misfit(middle) < 0:
            low = middle + 1
        else:
            high = middle
    if misfit(low) != 0:
        raise CaffeFormatError(
            f"no input size makes the caffemodel's weights fit the net (tried 1 to {high}); pass input_shape"
        )
    return (1, channels, low, low)


def build_net(
    spec: NetSpec,
    weights: dict[str, LayerWeights] | None,
    input_shapes: dict[str, Shape] | None = None,
    *,
    meta: bool = False,
) -> CaffeNet:
    plan = plan_shapes(spec, input_shapes)
    if weights is not None:
        _check_same_net(spec, plan, weights)
    steps, modules = [], []
    keys: set[str] = set()
    for layer in spec.layers:
        if layer.name in plan.blocked:
            continue  # listed with its blocker (see _unconverted_blobs); the converted part runs without it
        expected = plan.param_shapes[layer.name]
        if weights is None:
            blobs = [torch.empty(shape, device="meta") if meta else torch.zeros(shape) for shape in expected]
        else:
            blobs = _matched_blobs(layer, expected, weights.get(layer.name))
        modules.append(converter_for(layer).build(layer, blobs))
        steps.append(Step(layer.name, layer.type, _module_key(layer.name, keys), tuple(layer.bottoms), tuple(layer.tops)))
    unconverted, listing = _unconverted_blobs(spec, plan)
    net = CaffeNet(
        spec.name, plan.input_shapes, steps, modules, _blob_shapes(spec, plan),
        unconverted=unconverted, listing=listing, notes=[*spec.notes, *_unconverted_note(plan)],
    )
    return net.eval()


def _unconverted_blobs(spec: NetSpec, plan: ShapePlan) -> tuple[dict[str, Blocker], list[str]]:
    """Each blob name that only an unconverted layer makes → its blocker, and every blob name (converted or not)
    in the order Caffe makes them, as mode 5 lists them."""
    listing = list(plan.input_shapes)
    named = set(listing)
    unconverted: dict[str, Blocker] = {}
    for layer in spec.layers:
        blocker = plan.blocked.get(layer.name)
        for name in (layer.name, *layer.tops):
            if name in named:
                continue
            named.add(name)
            listing.append(name)
            if blocker is not None:
                unconverted[name] = blocker
    return unconverted, listing


def _unconverted_note(plan: ShapePlan) -> list[str]:
    stops = list(dict.fromkeys(plan.blocked.values()))
    if not stops:
        return []
    first = ", ".join(f"{b.layer!r} ({b.type})" for b in stops[:3]) + (", ..." if len(stops) > 3 else "")
    note = (
        f"{len(plan.blocked)} layers not converted: they depend on {len(stops)} layer(s) of types deepdream-torch "
        f"cannot convert ({first}); the blobs before them convert and dream"
    )
    return [note]


def _check_same_net(spec: NetSpec, plan: ShapePlan, weights: dict[str, LayerWeights]) -> None:
    needing = [layer.name for layer in spec.layers if plan.param_shapes[layer.name] and layer.name not in plan.blocked]
    if needing and not any(name in weights for name in needing):
        raise CaffeFormatError(
            f"the caffemodel has weights for none of the net's {len(needing)} layers with parameters "
            f"(it has {', '.join(list(weights)[:4])}...): is it the weights of another net?"
        )


def _matched_blobs(layer: LayerSpec, expected: list[Shape], given: LayerWeights | None) -> list[torch.Tensor]:
    if not expected:
        if given is not None and given.blobs:
            raise CaffeFormatError(
                f"layer {layer.name!r} ({layer.type}) takes no weights, but the caffemodel has {len(given.blobs)}"
            )
        return []
    if given is None:
        raise CaffeFormatError(
            f"the caffemodel has no weights for layer {layer.name!r} ({layer.type}): is it the caffemodel of this net?"
        )
    if len(given.blobs) != len(expected):
        raise CaffeFormatError(
            f"layer {layer.name!r} ({layer.type}) needs {len(expected)} weight blobs, the caffemodel has {len(given.blobs)}"
        )
    blobs = []
    for index, (blob, shape) in enumerate(zip(given.blobs, expected)):
        if not _fits(blob, shape):
            raise CaffeFormatError(
                f"layer {layer.name!r} blob {index}: the caffemodel has shape {blob.shape}, the net needs {shape}"
            )
        if blob.values.size != int(np.prod(shape)):
            raise CaffeFormatError(
                f"layer {layer.name!r} blob {index}: shape {blob.shape} but {blob.values.size} values; the file is damaged"
            )
        blobs.append(torch.from_numpy(blob.values).reshape(shape))
    return blobs


def _fits(blob: BlobData, shape: Shape) -> bool:
    if not blob.legacy:
        return tuple(blob.shape) == tuple(shape)
    # Legacy blobs are always 4-D (num, channels, height, width), padded with leading 1s: InnerProduct weights are
    # stored as 1x1xOUTxIN and biases as 1x1x1xOUT. Caffe accepts them when the shapes agree once the padding goes.
    return _without_leading_ones(blob.shape) == _without_leading_ones(shape)


def _without_leading_ones(shape: Shape) -> tuple[int, ...]:
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _module_key(name: str, taken: set[str]) -> str:
    key = name.replace(".", "_") or "layer"
    while key in taken:
        key += "_"
    taken.add(key)
    return key


def _blob_shapes(spec: NetSpec, plan: ShapePlan) -> dict[str, Shape]:
    shapes: dict[str, Shape] = dict(plan.input_shapes)
    for layer, tops in zip(spec.layers, plan.top_shapes):
        if tops is None:  # unconverted: no shape known
            continue
        shapes.setdefault(layer.name, tops[0])
        for top, shape in zip(layer.tops, tops):
            shapes.setdefault(top, shape)
    return shapes
