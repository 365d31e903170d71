"""Upgrade a V0 net (Caffe before 2014) to the current format, once, on the parsed message.

A V0 layer is ``layers { layer { name type: "conv" num_output kernelsize stride pad ... } bottom top }``: one flat
message for every type, its type a lower-case string, its weights in its own ``blobs``. Caffe's upgrade renames the
type ("conv" → Convolution), moves each setting into the parameter message of its type (``kernelsize`` →
``convolution_param.kernel_size``, ``cropsize`` → ``transform_param.crop_size``...), leaves out settings that do not
apply to the type, and folds every "padding" layer into the convolution or pooling that reads its output. This
module does the same, straight to current ``layer {}`` blocks, so converters only ever see the current format; a
type Caffe's V0 did not have keeps its name (a fork's layer, refused later if the net needs it).
"""

from __future__ import annotations

from google.protobuf.message import Message

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.layer_types import V0_TYPE_NAMES

# V0 type → the parameter message of the current layer its settings go to, and the V0 settings it takes (a
# setting the type does not take is left out, as in Caffe). Most keep their name there; _RENAMED holds the others.
_SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "conv": (
        "convolution_param",
        ("num_output", "biasterm", "weight_filler", "bias_filler", "pad", "kernelsize", "group", "stride"),
    ),
    "innerproduct": ("inner_product_param", ("num_output", "biasterm", "weight_filler", "bias_filler")),
    "pool": ("pooling_param", ("pad", "kernelsize", "stride", "pool")),
    "dropout": ("dropout_param", ("dropout_ratio",)),
    "lrn": ("lrn_param", ("local_size", "alpha", "beta", "k")),
    "data": ("data_param", ("source", "batchsize", "rand_skip")),
    "hdf5_data": ("hdf5_data_param", ("source", "batchsize")),
    "images": (
        "image_data_param",
        ("source", "batchsize", "rand_skip", "shuffle_images", "new_height", "new_width"),
    ),
    "window_data": (
        "window_data_param",
        ("source", "batchsize", "det_fg_threshold", "det_bg_threshold", "det_fg_fraction", "det_context_pad",
         "det_crop_mode"),
    ),
    "infogain_loss": ("infogain_loss_param", ("source",)),
    "concat": ("concat_param", ("concat_dim",)),
}
_RENAMED = {
    "biasterm": "bias_term",
    "kernelsize": "kernel_size",
    "batchsize": "batch_size",
    "shuffle_images": "shuffle",
    **{f"det_{name}": name for name in ("fg_threshold", "bg_threshold", "fg_fraction", "context_pad", "crop_mode")},
}
# V0 type → (V0 setting → where it goes in the current layer, as "param_message.field").
_MOVES: dict[str, dict[str, str]] = {
    v0_type: {setting: f"{message}.{_RENAMED.get(setting, setting)}" for setting in settings}
    for v0_type, (message, settings) in _SETTINGS.items()
}
_MOVES["hdf5_output"] = {"hdf5_output_param": "hdf5_output_param"}  # the whole message, as it is
# Settings of data layers that every type may carry go to transform_param, as in Caffe.
_ANY_TYPE_MOVES = {
    "scale": "transform_param.scale",
    "meanfile": "transform_param.mean_file",
    "cropsize": "transform_param.crop_size",
    "mirror": "transform_param.mirror",
}


def is_v0(net: caffe_pb2.NetParameter) -> bool:
    return any(layer.HasField("layer") for layer in net.layers)


def upgrade_v0(net: caffe_pb2.NetParameter) -> None:
    """Rewrite a V0 net in place as current ``layer {}`` blocks (a net without V0 layers is left as it is)."""
    if not is_v0(net):
        return
    if not all(layer.HasField("layer") for layer in net.layers):
        raise CaffeFormatError(
            "the net mixes V0 layers (`layers { layer { ... } }`) with V1 ones (`layers { type: ... }`); "
            "a net is written in one format"
        )
    upgraded = [_upgrade_layer(layer) for layer in _fold_padding(net)]
    net.ClearField("layers")
    net.layer.extend(upgraded)


def _fold_padding(net: caffe_pb2.NetParameter) -> list[caffe_pb2.V1LayerParameter]:
    """The layers without their "padding" layers; each one's pad goes to the convolution or pooling reading it."""
    kept: list[caffe_pb2.V1LayerParameter] = []
    producer: dict[str, caffe_pb2.V1LayerParameter] = {}  # blob → the last layer writing it
    for layer in net.layers:
        v0 = layer.layer
        copy = caffe_pb2.V1LayerParameter()
        copy.CopyFrom(layer)
        if v0.type != "padding":
            kept.append(copy)
        for index, blob in enumerate(layer.bottom):
            source = producer.get(blob)
            if source is None or source.layer.type != "padding":
                continue
            where = f"padding layer {source.layer.name!r} feeds layer {v0.name!r}"
            if v0.type not in ("conv", "pool"):
                raise CaffeFormatError(f"{where} ({v0.type}); V0 padding can only feed a convolution or a pooling")
            if len(layer.bottom) != 1 or len(source.bottom) != 1 or len(source.top) != 1:
                raise CaffeFormatError(f"{where}: V0 padding folds only between layers of one input and output")
            copy.layer.pad = source.layer.pad
            copy.bottom[index] = source.bottom[0]
        for blob in layer.top:
            producer[blob] = layer
    return kept


def _upgrade_layer(old: caffe_pb2.V1LayerParameter) -> caffe_pb2.LayerParameter:
    v0 = old.layer
    layer = caffe_pb2.LayerParameter(name=v0.name, bottom=old.bottom, top=old.top)
    if v0.HasField("type"):
        layer.type = V0_TYPE_NAMES.get(v0.type, v0.type)
    layer.blobs.extend(v0.blobs)
    for name, _ in v0.ListFields():
        field = name.name
        if field in _ANY_TYPE_MOVES:
            _assign(layer, _ANY_TYPE_MOVES[field], getattr(v0, field))
        elif field in _MOVES.get(v0.type, {}):
            _assign(layer, _MOVES[v0.type][field], getattr(v0, field))
        # Everything else (name, type, blobs, training multipliers, a setting that does not apply to the type) is
        # either copied above or, as in Caffe's upgrade, left out.
    return layer


def _assign(layer: caffe_pb2.LayerParameter, target: str, value: object) -> None:
    *parents, name = target.split(".")
    message: Message = layer
    for parent in parents:
        message = getattr(message, parent)
    field = message.DESCRIPTOR.fields_by_name[name]
    if field.type == field.TYPE_MESSAGE:
        getattr(message, name).CopyFrom(value)
    elif field.is_repeated:
        getattr(message, name).append(value)
    elif field.type == field.TYPE_ENUM:
        # V0's PoolMethod has the values of PoolingParameter's, by name.
        enum_name = caffe_pb2.V0LayerParameter.PoolMethod.Name(value)
        setattr(message, name, field.enum_type.values_by_name[enum_name].number)
    else:
        setattr(message, name, value)
