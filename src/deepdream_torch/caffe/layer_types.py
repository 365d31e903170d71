"""Names of Caffe's layer types: legacy V1 enums and V0 strings with the type names they became, and the sets of
types the reader checks field by field."""

# V1LayerParameter.LayerType → the current type string (Caffe's upgrade of V1 nets renames them so).
V1_TYPE_NAMES: dict[str, str] = {
    "ABSVAL": "AbsVal",
    "ACCURACY": "Accuracy",
    "ARGMAX": "ArgMax",
    "BNLL": "BNLL",
    "CONCAT": "Concat",
    "CONTRASTIVE_LOSS": "ContrastiveLoss",
    "CONVOLUTION": "Convolution",
    "DATA": "Data",
    "DECONVOLUTION": "Deconvolution",
    "DROPOUT": "Dropout",
    "DUMMY_DATA": "DummyData",
    "EUCLIDEAN_LOSS": "EuclideanLoss",
    "ELTWISE": "Eltwise",
    "EXP": "Exp",
    "FLATTEN": "Flatten",
    "HDF5_DATA": "HDF5Data",
    "HDF5_OUTPUT": "HDF5Output",
    "HINGE_LOSS": "HingeLoss",
    "IM2COL": "Im2col",
    "IMAGE_DATA": "ImageData",
    "INFOGAIN_LOSS": "InfogainLoss",
    "INNER_PRODUCT": "InnerProduct",
    "LRN": "LRN",
    "MEMORY_DATA": "MemoryData",
    "MULTINOMIAL_LOGISTIC_LOSS": "MultinomialLogisticLoss",
    "MVN": "MVN",
    "POOLING": "Pooling",
    "POWER": "Power",
    "RELU": "ReLU",
    "SIGMOID": "Sigmoid",
    "SIGMOID_CROSS_ENTROPY_LOSS": "SigmoidCrossEntropyLoss",
    "SILENCE": "Silence",
    "SOFTMAX": "Softmax",
    "SOFTMAX_LOSS": "SoftmaxWithLoss",
    "SPLIT": "Split",
    "SLICE": "Slice",
    "TANH": "TanH",
    "WINDOW_DATA": "WindowData",
    "THRESHOLD": "Threshold",
}

# V0 type strings (nets before 2014) → current type names, as Caffe's upgrade renames them. "padding" is not here:
# the upgrade folds each padding layer into the convolution or pooling that reads it.
V0_TYPE_NAMES: dict[str, str] = {
    "accuracy": "Accuracy",
    "bnll": "BNLL",
    "concat": "Concat",
    "conv": "Convolution",
    "data": "Data",
    "dropout": "Dropout",
    "euclidean_loss": "EuclideanLoss",
    "flatten": "Flatten",
    "hdf5_data": "HDF5Data",
    "hdf5_output": "HDF5Output",
    "im2col": "Im2col",
    "images": "ImageData",
    "infogain_loss": "InfogainLoss",
    "innerproduct": "InnerProduct",
    "lrn": "LRN",
    "multinomial_logistic_loss": "MultinomialLogisticLoss",
    "pool": "Pooling",
    "relu": "ReLU",
    "sigmoid": "Sigmoid",
    "softmax": "Softmax",
    "softmax_loss": "SoftmaxWithLoss",
    "split": "Split",
    "tanh": "TanH",
    "window_data": "WindowData",
}

# Every layer type upstream BVLC Caffe registers.
UPSTREAM_TYPES: frozenset[str] = frozenset({
    "AbsVal", "Accuracy", "ArgMax", "BNLL", "BatchNorm", "BatchReindex", "Bias", "Clip", "Concat", "ContrastiveLoss",
    "Convolution", "Crop", "Data", "Deconvolution", "Dropout", "DummyData", "ELU", "Eltwise", "Embed",
    "EuclideanLoss", "Exp", "Filter", "Flatten", "HDF5Data", "HDF5Output", "HingeLoss", "Im2col", "ImageData",
    "InfogainLoss", "InnerProduct", "Input", "LRN", "LSTM", "LSTMUnit", "Log", "MVN", "MemoryData",
    "MultinomialLogisticLoss", "PReLU", "Parameter", "Pooling", "Power", "Python", "RNN", "ReLU", "Reduction",
    "Reshape", "SPP", "Scale", "Sigmoid", "SigmoidCrossEntropyLoss", "Silence", "Slice", "Softmax",
    "SoftmaxWithLoss", "Split", "Swish", "TanH", "Threshold", "Tile", "WindowData",
})

# Fork layer types whose parameters caffe.proto holds in full.
FORK_TYPES: frozenset[str] = frozenset({
    "AnnotatedData", "DetectionEvaluate", "DetectionOutput", "MultiBoxLoss", "Normalize", "Permute", "PriorBox",
    "ShuffleChannel", "VideoData",
})

# Layers that feed, score or train a net and never belong to the net a dream runs: data sources, losses,
# accuracy, and Python layers (whose `param_str` is the layer's own business).
NEVER_CONVERTED_TYPES: frozenset[str] = frozenset({
    "Accuracy", "AnnotatedData", "ContrastiveLoss", "Data", "DetectionEvaluate", "DummyData", "EuclideanLoss",
    "HDF5Data", "HDF5Output", "HingeLoss", "ImageData", "InfogainLoss", "MemoryData", "MultiBoxLoss",
    "MultinomialLogisticLoss", "Python", "SigmoidCrossEntropyLoss", "Silence", "SoftmaxWithLoss", "VideoData",
    "WindowData",
})

# The layer types whose fields the prototxt reader checks by default: those the schema describes in full, less
# those never converted. A field the schema lacks inside one of them is an error; inside any other layer (a fork's
# type we cannot convert anyway) it is skipped, and that layer is refused only if the net needs it.
CHECKED_TYPES: frozenset[str] = (UPSTREAM_TYPES | FORK_TYPES) - NEVER_CONVERTED_TYPES
