"""Converted weights cached by caffemodel sha1, so a caffemodel is parsed once, not on every run.

`$DEEPDREAM_HOME/converted/<sha1>.safetensors` holds the converted net's state dict and `<sha1>.json` says which
prototxt (by sha256) it was converted with. The json is written last, so its presence means the pair is whole;
both are written to a temporary name and renamed, so an interrupted run never leaves a half cache entry.
A cache that cannot be written (a full disk, a read-only store, a file size limit, no permission) costs only the
next run's conversion: ``load_model`` warns once and returns the net converted in memory.

The sha1 comes from the `<caffemodel>.sha1` sidecar while the caffemodel is the very file it was recorded for (same
size, mtime, ctime and inode: see checksum.py), else it is computed and the sidecar written, so a caffemodel
replaced in any way is converted again.

The cache does not make loading faster: the caffemodel reader already streams the weights straight into their
arrays (benchmarks/README.md, "Model cache"). What it gives is a net that loads without its caffemodel, and
weights in a format other tools read.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from deepdream_torch.atomic import atomic_write, write_text
from deepdream_torch.net.load import load_caffe
from deepdream_torch.weights.checksum import caffemodel_sha1, read_sidecar
from deepdream_torch.weights.discovery import ModelFiles, model_files_in
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.store import HOME_ENV, converted_dir

# Bumped when the converters change what they produce, so older caches are converted again.
CACHE_FORMAT = 1
# The machine's refusals to store a file, which the net converted in memory outlives. A path the user got wrong
# (a file where the store's folder belongs, a symlink loop) stays an error: it is theirs to correct.
CACHE_WRITE_FAILURES = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


class CacheNotWritten(UserWarning):
    """The converted weights could not be cached; the net was returned from memory all the same."""


@dataclass(frozen=True)
class ConvertedWeights:
    """A cache entry: the caffemodel's sha1, its safetensors file, and whether this call wrote it."""

    sha1: str
    weights: Path
    converted_now: bool


def load_model(
    model: str | os.PathLike[str] | ModelFiles,
    caffemodel: str | os.PathLike[str] | None = None,
    *,
    warn: Callable[[str], None] | None = None,
) -> torch.nn.Module:
    """The converted net of a model, from the conversion cache when it holds this caffemodel (else converted
    and cached).

    `model` is a ModelFiles, a model folder (its only caffemodel), or a prototxt given with its `caffemodel`.
    When the cache cannot be written (`CACHE_WRITE_FAILURES`), `warn` gets one line saying so (default: a
    `CacheNotWritten` warning) and the net converted in memory is returned: the dream does not need the cache.
    """
    files = _model_files(model, caffemodel)
    sha1, prototxt_sha256 = _keys(files)
    net = _load_cached(files, sha1, prototxt_sha256)
    if net is None:
        net = _convert(files)
        try:
            _write(net, sha1, prototxt_sha256, files)
        except OSError as error:
            if error.errno not in CACHE_WRITE_FAILURES:
                raise
            message = _not_cached(error)
            if warn is None:
                warnings.warn(message, CacheNotWritten, stacklevel=2)
            else:
                warn(message)
    return net


def convert_to_cache(files: ModelFiles, *, force: bool = False) -> ConvertedWeights:
    """Make sure the cache holds this model's converted weights (for `deepdream convert`)."""
    sha1, prototxt_sha256 = _keys(files)
    if not force and _entry_matches(sha1, prototxt_sha256):
        return ConvertedWeights(sha1, weights_path(sha1), converted_now=False)
    _write(_convert(files), sha1, prototxt_sha256, files)
    return ConvertedWeights(sha1, weights_path(sha1), converted_now=True)


def weights_path(sha1: str) -> Path:
    return converted_dir() / f"{sha1}.safetensors"


def description_path(sha1: str) -> Path:
    return converted_dir() / f"{sha1}.json"


def _model_files(
    model: str | os.PathLike[str] | ModelFiles, caffemodel: str | os.PathLike[str] | None
) -> ModelFiles:
    if isinstance(model, ModelFiles):
        return model
    path = Path(model)
    if caffemodel is not None:
        return ModelFiles(prototxt=path, caffemodel=Path(caffemodel))
    if path.is_dir():
        return model_files_in(path)
    raise ZooError(f"{path} is not a model folder; pass a folder, or a prototxt together with its caffemodel")


def _keys(files: ModelFiles) -> tuple[str, str]:
    if not files.prototxt.is_file():
        raise ZooError(f"prototxt {files.prototxt} does not exist")
    if not files.caffemodel.exists() and read_sidecar(files.caffemodel) is None:
        raise ZooError(f"caffemodel {files.caffemodel} does not exist; download it or fix the model name")
    sha1 = caffemodel_sha1(files.caffemodel)
    return sha1, hashlib.sha256(files.prototxt.read_bytes()).hexdigest()


def _entry_matches(sha1: str, prototxt_sha256: str) -> bool:
    try:
        description = json.loads(description_path(sha1).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(description, dict)
        and description.get("format") == CACHE_FORMAT
        and description.get("prototxt_sha256") == prototxt_sha256
        and weights_path(sha1).is_file()
    )


def _load_cached(files: ModelFiles, sha1: str, prototxt_sha256: str) -> torch.nn.Module | None:
    if not _entry_matches(sha1, prototxt_sha256):
        if not files.caffemodel.exists():
            raise ZooError(
                f"caffemodel {files.caffemodel} is gone and no weights converted with this prototxt are cached"
                f" (sha1 {sha1}); put the caffemodel back"
            )
        return None
    # Built on the meta device, the net allocates no zeros only to overwrite them; the cached tensors are
    # assigned instead. They are cloned first: safetensors hands out tensors at odd addresses, and BLAS picks
    # other kernels for those (InnerProduct outputs then differ in the last bits from a fresh conversion).
    with torch.device("meta"):
        net = load_caffe(files.prototxt, None)
    try:
        tensors = {key: value.clone() for key, value in load_file(weights_path(sha1)).items()}
        net.load_state_dict(tensors, strict=True, assign=True)
    except (SafetensorError, RuntimeError, OSError):
        # A damaged or foreign cache file: convert again rather than fail (the caffemodel is the truth).
        if not files.caffemodel.exists():
            raise ZooError(
                f"the cached weights {weights_path(sha1)} are damaged and {files.caffemodel} is gone; put it back"
            ) from None
        return None
    return net


def _convert(files: ModelFiles) -> torch.nn.Module:
    return load_caffe(files.prototxt, files.caffemodel)


def save_tensors(tensors: dict[str, torch.Tensor], temporary: Path, metadata: dict[str, str], target: Path) -> None:
    """``safetensors``' ``save_file`` into ``temporary`` (of an ``atomic_write`` to ``target``); its I/O errors
    (a full disk, a file size limit) come out as the OSError they are, naming ``target``, for the CLI's one line."""
    try:
        save_file(tensors, str(temporary), metadata=metadata)
    except SafetensorError as error:  # the errno is only in its text
        code = re.search(r"os error (\d+)", str(error))
        raise OSError(int(code.group(1)) if code else errno.EIO, str(error), str(target)) from error


def _not_cached(error: OSError) -> str:
    """The one line for a cache write the machine refused: what, where, why, and what it costs."""
    reason = (os.strerror(error.errno) if error.errno else str(error)).lower()
    configured = os.environ.get(HOME_ENV)
    where = f"{converted_dir()}" + (f" (from {HOME_ENV}={configured})" if configured else "")
    return (
        f"the converted weights cannot be cached in {where}: {reason}; dreaming from the weights converted in"
        f" memory (the next run converts the caffemodel again; free space or set {HOME_ENV} to a writable folder)"
    )


def _write(net: torch.nn.Module, sha1: str, prototxt_sha256: str, files: ModelFiles) -> None:
    folder = converted_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # An older entry's description goes first: if the new weights are written and their description is not (a
    # disk that fills in between), no description may vouch for weights converted with another prototxt.
    description_path(sha1).unlink(missing_ok=True)
    # safetensors refuses tensors that share memory or are views; a contiguous copy of each is always accepted.
    tensors = {key: value.detach().contiguous().clone() for key, value in net.state_dict().items()}
    with atomic_write(weights_path(sha1)) as temporary:
        save_tensors(tensors, temporary, {"caffemodel_sha1": sha1}, weights_path(sha1))
    description = {
        "format": CACHE_FORMAT,
        "caffemodel_sha1": sha1,
        "prototxt_sha256": prototxt_sha256,
        "caffemodel": files.caffemodel.name,
        "prototxt": files.prototxt.name,
        "blob_names": list(getattr(net, "blob_names", [])),
    }
    try:
        write_text(description_path(sha1), json.dumps(description, indent=1))
    except OSError:
        weights_path(sha1).unlink(missing_ok=True)  # weights no description vouches for only take up space
        raise
