"""A train/test net (``train_val.prototxt``) read as the deploy net a Caffe user would write from it by hand.

The TEST phase is already chosen by ``net_spec``. Here the data layer's first top (the picture) becomes the net's
input; its other tops (the label), the loss and accuracy layers, and every layer that reads what they left out are
dropped. The input's size comes from the data layer (``transform_param.crop_size``, ``MemoryData``'s or
``DummyData``'s shape, ``ImageData``'s ``new_height``/``new_width``), else stays undeclared for the loader to choose
(``input_shape``). A data top that feeds no picture layer (an ``HDF5Data`` array straight into an
``InnerProduct``, features into an LSTM) is refused: dreaming needs a picture net.
"""

from __future__ import annotations

from typing import Any

from deepdream_torch.caffe.errors import CaffeFormatError

# Layer types that read a dataset and write (picture, label) tops; Python data layers are Python code we cannot run.
DATA_TYPES = frozenset(
    {"Data", "ImageData", "MemoryData", "HDF5Data", "WindowData", "DummyData", "AnnotatedData", "VideoData"}
)
# Layers that only make sense with a label: losses and scores against the ground truth.
_SCORING_TYPES = frozenset({"Accuracy", "Silence"})
# A picture is first read by one of these (spatial layers); anything else on the data top means a vector input.
_PICTURE_READERS = frozenset(
    {"Convolution", "Pooling", "LRN", "BatchNorm", "Scale", "Power", "Crop", "Concat", "Split", "Slice", "Eltwise",
     "ReLU", "PReLU", "Normalize", "Bias", "Deconvolution", "MVN", "Dropout", "AbsVal", "TanH", "Sigmoid"}
)


def train_test_as_deploy(layers: list[Any]) -> tuple[dict[str, tuple[int, ...] | None], list[Any], str]:
    """The inputs, the layers kept and the one-line note for a net with no declared input, made from its data
    layer (see the module docstring)."""
    data = [layer for layer in layers if layer.type in DATA_TYPES]
    if not data:
        python = [layer.name for layer in layers if layer.type == "Python" and not layer.bottoms]
        where = f" (its data come from Python layer {python[0]!r}, which we cannot run)" if python else ""
        raise CaffeFormatError(
            "the net declares no input (no `input:` line, no Input layer and no data layer)" + where
            + "; deploy.prototxt files declare one"
        )
    source = data[0]
    if not source.tops:
        raise CaffeFormatError(f"data layer {source.name!r} ({source.type}) has no top")
    picture, others = source.tops[0], [top for layer in data for top in layer.tops][1:]
    dropped = {top for top in others if top != picture}
    kept, left_out = [], []
    for layer in layers:
        if layer.type in DATA_TYPES:
            continue
        if _scores(layer) or any(bottom in dropped for bottom in layer.bottoms):
            left_out.append(layer.name)
            dropped.update(top for top in layer.tops if top != picture)
            continue
        kept.append(layer)
    for layer in _feeding_only_losses(kept, layers):
        kept.remove(layer)
        left_out.append(layer.name)
    _refuse_non_picture(picture, source, [layer for layer in layers if layer.type not in DATA_TYPES])
    shape, size_from = _picture_shape(source)
    labels = [top for top in others if top != picture]
    note = (
        f"train/test net: TEST phase; input {picture!r} from {source.type} layer {source.name!r}"
        f" ({_describe(shape, size_from)})"
        + (f"; left out {', '.join(repr(t) for t in labels)}" if labels else "")
        + (f" and {len(left_out)} layers of its loss/accuracy branches ({', '.join(left_out[:3])}"
           f"{', ...' if len(left_out) > 3 else ''})" if left_out else "")
    )
    return {picture: shape}, kept, note


def _feeding_only_losses(kept: list[Any], everything: list[Any]) -> list[Any]:
    """Side branches whose blobs went only into losses (GoogLeNet's auxiliary classifiers): layers whose every
    top some left-out layer read and no kept layer reads, repeatedly; the main classifier (the last kept layer
    and what it reads) stays, as in the model's deploy net."""
    last = kept[-1] if kept else None
    trunk = _ancestors(last, kept) if last is not None else set()
    read_by_dropped = {b for layer in everything if layer not in kept for b in layer.bottoms}
    dead: list[Any] = []
    changed = True
    while changed:
        changed = False
        live = [layer for layer in kept if layer not in dead]
        read_by_live = {b for layer in live for b in layer.bottoms if b not in layer.tops}
        for layer in reversed(live):
            if id(layer) in trunk or not layer.tops:
                continue
            if all(top in read_by_dropped and top not in read_by_live for top in layer.tops):
                dead.append(layer)
                read_by_dropped.update(layer.bottoms)
                changed = True
    return dead


def _ancestors(layer: Any, kept: list[Any]) -> set[int]:
    """ids of ``layer`` and every kept layer that writes a blob it (transitively) reads."""
    found, wanted = {id(layer)}, set(layer.bottoms)
    for other in reversed(kept[: kept.index(layer)]):
        if wanted & set(other.tops):
            found.add(id(other))
            wanted.update(other.bottoms)
    return found


def _scores(layer: Any) -> bool:
    return layer.type.endswith("Loss") or layer.type in _SCORING_TYPES


def _refuse_non_picture(picture: str, source: Any, layers: list[Any]) -> None:
    readers = [layer for layer in layers if picture in layer.bottoms]
    if not readers:
        raise CaffeFormatError(f"no layer reads {source.type} layer {source.name!r}'s top {picture!r}: nothing to dream")
    odd = next((layer for layer in readers if layer.type not in _PICTURE_READERS), None)
    if odd is not None:
        raise CaffeFormatError(
            f"not a picture net: its input {picture!r} ({source.type} layer {source.name!r}) goes straight into "
            f"{odd.type} layer {odd.name!r}, not a convolution; dreaming needs a net that reads pictures"
        )


def _picture_shape(source: Any) -> tuple[tuple[int, ...] | None, str]:
    """(N, C, H, W) of the picture top where the data layer says it, and where the size came from."""
    crop = _sub(source, "transform_param", "crop_size")
    if source.type == "DummyData":
        shape = _dummy_shape(source)
        if shape is not None:
            _check_picture(shape, source)
            return shape, "dummy_data_param"
    if source.type == "MemoryData":
        p = _param(source, "memory_data_param")
        if p is not None and p.height and p.width:
            shape = (1, p.channels or 3, crop or p.height, crop or p.width)
            _check_picture(shape, source)
            return shape, "memory_data_param"
    channels = 3
    if source.type == "ImageData":
        p = _param(source, "image_data_param")
        if p is not None:
            channels = 3 if p.is_color else 1
            if not crop and p.new_height and p.new_width:
                return (1, channels, p.new_height, p.new_width), "image_data_param's new_height/new_width"
    if source.type == "WindowData" and not crop:
        crop = _sub(source, "window_data_param", "crop_size")
    if crop:
        return (1, channels, crop, crop), "crop_size"
    return None, ""


def _dummy_shape(source: Any) -> tuple[int, ...] | None:
    p = _param(source, "dummy_data_param")
    if p is None:
        return None
    if len(p.shape):
        return tuple(p.shape[0].dim)
    if len(p.num):
        return (p.num[0], p.channels[0], p.height[0], p.width[0])
    return None


def _check_picture(shape: tuple[int, ...], source: Any) -> None:
    if len(shape) != 4 or shape[1] not in (1, 3, 4) or min(shape[2:]) < 2:
        raise CaffeFormatError(
            f"not a picture net: {source.type} layer {source.name!r} gives blobs of shape {shape}, not a picture "
            "(N, 1 or 3 channels, H, W)"
        )


def _describe(shape: tuple[int, ...] | None, size_from: str) -> str:
    if shape is None:
        return "size not declared"
    return f"{'×'.join(str(d) for d in shape[1:])} from {size_from}"


def _param(layer: Any, name: str) -> Any:
    """The layer's ``name`` sub-message, or None where our schema lacks that field or the layer leaves it out."""
    fields = layer.message.DESCRIPTOR.fields_by_name
    if name not in fields or not layer.message.HasField(name):
        return None
    return getattr(layer.message, name)


def _sub(layer: Any, message: str, field: str) -> int:
    p = _param(layer, message)
    return int(getattr(p, field)) if p is not None and field in p.DESCRIPTOR.fields_by_name else 0
