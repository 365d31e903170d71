"""A network definition reduced to what running it needs: its inputs and its layers in forward order.

Both prototxt formats (``layer {}`` and the legacy ``layers {}`` with V1 type enums) and every input declaration seen
in the zoo (``input:`` with ``input_dim:`` or ``input_shape``, and ``Input`` layers) come out the same way. Layers
that Caffe would leave out of a TEST-phase net (``include``/``exclude`` rules) are left out here too.

A net published only as a train/test definition (``train_val.prototxt``) is read the way a Caffe user turns it into
a deploy net by hand (``train_test.py``): its data layer's picture top becomes the input, and the label with every
loss and accuracy layer (and whatever reads the label) is left out; ``NetSpec.notes`` says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.layer_types import V1_TYPE_NAMES
from deepdream_torch.caffe.train_test import DATA_TYPES, train_test_as_deploy

Shape = tuple[int, ...]


@dataclass
class LayerSpec:
    name: str
    type: str
    bottoms: list[str]
    tops: list[str]
    # The LayerParameter or V1LayerParameter: both carry the same *_param sub-messages under the same names.
    message: Any = field(repr=False)

    def param(self, name: str) -> Any:
        """The layer's ``name`` sub-message (e.g. "pooling_param"); Caffe's defaults where the message lacks it
        (V1 layers have no field for parameters their type never had, such as FLATTEN's)."""
        if name in self.message.DESCRIPTOR.fields_by_name:
            return getattr(self.message, name)
        return getattr(caffe_pb2.LayerParameter(), name)


@dataclass
class NetSpec:
    name: str
    inputs: dict[str, Shape | None]  # input blob name → declared shape (N, C, H, W), or None when undeclared
    layers: list[LayerSpec]
    notes: list[str] = field(default_factory=list)  # one line each, for the user: what was changed to run the net
    from_data_layer: bool = False  # a train/test net: the input is its data layer's picture (sizes may be guesses)


def net_spec(net: caffe_pb2.NetParameter, stages: tuple[str, ...] = ()) -> NetSpec:
    state = caffe_pb2.NetState(phase=caffe_pb2.TEST, stage=list(stages))
    inputs = _legacy_inputs(net)
    layers: list[LayerSpec] = []
    for index, spec in enumerate(_layers(net)):
        if not _included(spec.message, state):
            continue
        if not spec.name:
            spec.name = f"{spec.type.lower()}_{index}"
        if spec.type == "Input":
            inputs.update(_input_layer_shapes(spec))
            continue
        layers.append(spec)
    if inputs:
        # A deploy net that kept a data layer writing its declared input: the declared input wins, as in Caffe's
        # pycaffe use (the data layer would overwrite it from a database we do not have).
        # Its other tops (the label) stay, unconverted, with what reads them.
        for layer in layers:
            if layer.type in DATA_TYPES:
                layer.tops = [top for top in layer.tops if top not in inputs]
        layers = [layer for layer in layers if layer.tops or layer.type not in DATA_TYPES]
    else:
        inputs, layers, note = train_test_as_deploy(layers)
        return NetSpec(name=net.name, inputs=inputs, layers=layers, notes=[note], from_data_layer=True)
    return NetSpec(name=net.name, inputs=inputs, layers=layers)


def _layers(net: caffe_pb2.NetParameter) -> list[LayerSpec]:
    specs = [LayerSpec(m.name, m.type, list(m.bottom), list(m.top), m) for m in net.layer]
    for m in net.layers:
        enum_name = caffe_pb2.V1LayerParameter.LayerType.Name(m.type)
        specs.append(LayerSpec(m.name, V1_TYPE_NAMES.get(enum_name, enum_name), list(m.bottom), list(m.top), m))
    return specs


def _legacy_inputs(net: caffe_pb2.NetParameter) -> dict[str, Shape | None]:
    names = list(net.input)
    if net.input_shape:
        if len(net.input_shape) != len(names):
            raise CaffeFormatError(f"{len(names)} `input:` names but {len(net.input_shape)} `input_shape` blocks")
        return {n: tuple(s.dim) for n, s in zip(names, net.input_shape)}
    if net.input_dim:
        if len(net.input_dim) != 4 * len(names):
            raise CaffeFormatError(
                f"{len(names)} `input:` names need {4 * len(names)} `input_dim:` values, found {len(net.input_dim)}"
            )
        dims = list(net.input_dim)
        return {n: tuple(dims[4 * i : 4 * i + 4]) for i, n in enumerate(names)}
    return {n: None for n in names}


def _input_layer_shapes(spec: LayerSpec) -> dict[str, Shape | None]:
    shapes = [tuple(s.dim) for s in spec.message.input_param.shape]
    if len(shapes) not in (0, 1, len(spec.tops)):
        raise CaffeFormatError(f"Input layer {spec.name!r}: {len(shapes)} shapes for {len(spec.tops)} tops")
    if not shapes:
        return {top: None for top in spec.tops}
    if len(shapes) == 1:
        shapes = shapes * len(spec.tops)
    return dict(zip(spec.tops, shapes))


def _included(message: Any, state: caffe_pb2.NetState) -> bool:
    # Caffe's rule: with include rules a layer is in if any rule is met; with exclude rules it is out if any is met.
    if len(message.include):
        return any(_meets(rule, state) for rule in message.include)
    return not any(_meets(rule, state) for rule in message.exclude)


def _meets(rule: caffe_pb2.NetStateRule, state: caffe_pb2.NetState) -> bool:
    if rule.HasField("phase") and rule.phase != state.phase:
        return False
    if rule.HasField("min_level") and state.level < rule.min_level:
        return False
    if rule.HasField("max_level") and state.level > rule.max_level:
        return False
    if any(stage not in state.stage for stage in rule.stage):
        return False
    return not any(stage in state.stage for stage in rule.not_stage)
