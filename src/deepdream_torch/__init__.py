"""deepdream-torch: Caffe model-zoo models converted to PyTorch, and DeepDream for pictures and videos."""

from deepdream_torch.errors import DeepDreamError

__all__ = ["DeepDreamError", "dream", "dream_batch", "load_caffe"]


def __getattr__(name: str):
    # Lazy so that `import deepdream_torch` stays cheap for the CLI's --help.
    if name == "load_caffe":
        from deepdream_torch.net.load import load_caffe

        return load_caffe
    if name in ("dream", "dream_batch"):
        from deepdream_torch.dreaming import dream as _dream_module

        return getattr(_dream_module, name)
    raise AttributeError(name)
