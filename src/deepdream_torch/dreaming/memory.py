"""How many bytes a dream step needs and how many it may use: the memory model tiles are planned with.

A step's memory is the blobs autograd keeps for the backward pass plus the gradients alive while it runs. Both are
planned by running the net on meta tensors (shapes only, no arithmetic: milliseconds), once per net and set of
blobs; the bytes grow with the pixels, so two planned sizes give a line that any frame size is read from.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import os
import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch
from torch.func import functional_call

from deepdream_torch.dreaming.dream_net import DreamNet, FoldingNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.min_size import min_side

# The three constants below are measured (benchmarks/README.md, "Memory model"); re-measure before changing one.
# Full-size float copies alive beside a step's gradient (tiles.py's crops are the step's): the picture, stepped
# in place where the source was (loop.py's ``overwrite``), and the step's gradient (half a copy where a bf16 step's
# tiles keep it in bf16: ``loop_bytes``'s ``gradient``). At a smaller octave the source
# waits at full size beside that octave's base, picture and gradient (see ``loop_bytes``).
PICTURE_COPIES = 2
# A pull (pull.py) adds its strength (a third of a copy) and 8-bit target (a quarter) at the full size, and at a
# smaller octave its target and strength resized to it (four thirds of that octave's copy).
PULL_COPIES = 0.6
# While the backward pass runs, the blobs kept for it are alive with about two blob-sized gradients (a layer's
# incoming and outgoing one).
_GRADIENTS_ALIVE = 2
# What the libraries under a step take besides tensors: a fixed part (kernels' code and caches, thread pools), and a
# share of the step's own planned bytes (oneDNN's scratch buffers and the heap's fragments grow with the blobs);
# more in fp32, whose CPU convolutions partly run as im2col products with column buffers of their own.
RUNTIME_BYTES = 12 * 2**20
RUNTIME_SHARE = 0.3
RUNTIME_SHARE_FP32 = 0.55
# Blocks of this many bytes or more get their own mapping from glibc, unmapped when freed (``small_heap``).
MMAP_THRESHOLD = 4 * 2**20
_M_MMAP_THRESHOLD = -3  # mallopt's parameter numbers (malloc.h)
_M_TRIM_THRESHOLD = -1
# The largest block glibc's own rule keeps in its heap (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit): what is restored.
_HEAP_BLOCKS = 32 * 2**20
# Default budgets: a share of what is free, the rest left for the caller, the allocator's slack and other programs.
CPU_SHARE = 0.5
CUDA_SHARE = 0.85
_UNITS = {
    "": 1, "b": 1,
    "k": 2**10, "kib": 2**10, "kb": 10**3,
    "m": 2**20, "mib": 2**20, "mb": 10**6,
    "g": 2**30, "gib": 2**30, "gb": 10**9,
    "t": 2**40, "tib": 2**40, "tb": 10**12,
}  # fmt: skip
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*")


@dataclass(frozen=True)
class StepMemory:
    """Bytes one item of a step needs: ``fixed`` plus ``per_pixel`` times its pixels."""

    fixed: float
    per_pixel: float

    def bytes(self, items: int, height: int, width: int) -> int:
        """Bytes of a step over ``items`` pictures of ``height`` x ``width``."""
        return math.ceil(items * (self.fixed + self.per_pixel * height * width))


_known: weakref.WeakKeyDictionary[object, dict[tuple[str, ...], StepMemory]] = weakref.WeakKeyDictionary()


def step_memory(net: DreamNet, layers: Iterable[str], dtype: torch.dtype | None = None) -> StepMemory:
    """The memory model of a step ascending ``layers`` (all of them at once: an upper bound for any one) under
    autocast to ``dtype`` (None: plain fp32)."""
    folds = isinstance(net, FoldingNet) and net.folds  # a plan holds for the way the net runs now
    key = (*sorted(set(layers)), str(dtype), str(folds))
    per_net = _known.setdefault(net, {})
    if key not in per_net:
        names = key[:-2]
        side = max(256, 2 * max(min_side(net, layer) for layer in names))
        try:
            small = planned_bytes(net, names, side, side, dtype)
            large = planned_bytes(net, names, 2 * side, 2 * side, dtype)
        except (RuntimeError, NotImplementedError, TypeError):
            # A layer that cannot run on meta tensors (one reading values, not shapes): no plan, so every step
            # goes in one pass as before tiles existed, and a device out of memory still retries in tiles.
            small = large = 0
        per_pixel = (large - small) / (3 * side * side)
        per_net[key] = StepMemory(max(0.0, small - per_pixel * side * side), per_pixel)
    return per_net[key]


def planned_bytes(
    net: DreamNet, layers: Iterable[str], height: int, width: int, dtype: torch.dtype | None = None
) -> int:
    """Bytes of a one-item step at ``height`` x ``width`` under autocast to ``dtype`` (None: fp32), planned on
    meta tensors: what autograd keeps for the backward pass, plus the gradients alive while it runs."""
    meta, originals = meta_state(net, dtype)
    # A blob kept twice (a ReLU's output, the next convolution's input) counts once.
    kept: dict[int, tuple[torch.Tensor, int]] = {}

    def pack(blob: torch.Tensor) -> torch.Tensor:
        storage = blob.untyped_storage()
        size = storage.nbytes() + originals.get(storage._cdata, 0)
        kept[id(blob)] = (blob, size)  # holding the blob keeps its id unique
        return blob

    x, fed = meta_input(height, width, dtype)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda blob: blob):
        blobs = functional_call(net, meta, (fed,), {"outputs": list(layers)})
    sizes = [size for _, size in kept.values()]
    beside = x.untyped_storage().nbytes() if fed is not x else 0  # the fp32 picture beside its cast copy
    return sum(sizes) + beside + planned_extra(blobs.values(), sizes)


def meta_state(net: DreamNet, dtype: torch.dtype | None) -> tuple[dict[str, torch.Tensor], dict[int, int]]:
    """The net's parameters and buffers as meta tensors for a plan under autocast to ``dtype``, and the fp32
    bytes beside each cast one (by storage).

    torch.autocast does not act on meta tensors (a meta convolution under CPU autocast stays fp32), so the plan
    casts what autocast would: the floating parameters, whose cast copies the convolutions keep for the backward
    pass while the fp32 originals stay in the net (both count), and the picture (``meta_input``). The layers after
    a convolution then run in its bf16 output's dtype, as under autocast."""
    meta: dict[str, torch.Tensor] = {}
    originals: dict[int, int] = {}
    parameters = dict(net.named_parameters())
    for name, tensor in (*parameters.items(), *net.named_buffers()):
        if dtype is not None and name in parameters and tensor.is_floating_point():
            meta[name] = torch.empty_like(tensor, device="meta", dtype=dtype)
            originals[meta[name].untyped_storage()._cdata] = tensor.untyped_storage().nbytes()
        else:
            meta[name] = torch.empty_like(tensor, device="meta")
    return meta, originals


def meta_input(height: int, width: int, dtype: torch.dtype | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The fp32 picture a plan's gradient is taken of, and what the net is fed: its copy in ``dtype`` (autocast
    casts it at the first convolution), or the picture itself under fp32."""
    x = torch.empty(1, 3, height, width, device="meta", requires_grad=True)
    return x, (x.to(dtype) if dtype is not None else x)


def planned_extra(blobs: Iterable[torch.Tensor], kept: Iterable[int]) -> int:
    """Bytes a step needs beside the ``kept`` ones autograd holds: the objective's float square of each scored
    blob, and the gradients alive while the backward pass runs (as large as the largest blob)."""
    scored = [blob.numel() * 4 for blob in blobs]
    return sum(scored) + _GRADIENTS_ALIVE * max([*kept, *scored])


def release_freed_memory(device: torch.device) -> None:
    """Hand the CPU memory freed by the last tile back to the system (glibc's ``malloc_trim``; nothing elsewhere).
    glibc keeps freed blocks under 32 MiB in its heap, and tile after tile the heap's holes add up (the 4K figures
    are in benchmarks/README.md, "Memory model")."""
    if device.type == "cpu" and _libc_function("malloc_trim") is not None:
        _libc_function("malloc_trim")(0)


@contextlib.contextmanager
def small_heap(device: torch.device) -> Iterator[None]:
    """Inside: glibc maps every CPU block of MMAP_THRESHOLD bytes or more on its own and unmaps it when freed
    (nothing elsewhere). By default glibc raises that threshold to a freed mapping's size, up to 32 MiB, and from
    then on keeps freed blocks below it in its heap, where a step's blobs of one tile shape leave holes the next
    shape's do not fit: a first 4-octave 4K dream under 1 GiB (each octave its own tiles) went over its budget
    with its tensors well within it (benchmarks/README.md, "Memory model").

    Only for a dream its budget binds (``Tiler.tight``): a block mapped afresh is paged in afresh, so a step whose
    blobs come from new mappings instead of the heap's reused blocks pays for it (960x540 open_nsfw: 0.55 against
    0.80 CPU s a step in fp32, 0.25 against 0.39 in bf16). After the block the heap keeps blocks up to 32 MiB again,
    as glibc's own rule settles at (its trim threshold at twice that), so a later dream in the process, or a
    video's next frame with room to spare, reuses its blocks. Blocks nest (the outermost one restores)."""
    mallopt = _libc_function("mallopt") if device.type == "cpu" else None
    if mallopt is None:
        yield
        return
    with _HEAP_LOCK:
        _HEAP_DEPTH[0] += 1
        if _HEAP_DEPTH[0] == 1:
            mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    try:
        yield
    finally:
        with _HEAP_LOCK:
            _HEAP_DEPTH[0] -= 1
            if _HEAP_DEPTH[0] == 0:
                mallopt(_M_MMAP_THRESHOLD, _HEAP_BLOCKS)
                mallopt(_M_TRIM_THRESHOLD, 2 * _HEAP_BLOCKS)


_HEAP_LOCK = threading.Lock()
_HEAP_DEPTH = [0]  # small_heap blocks open now, in any thread


@functools.cache
def _libc_function(name: str) -> ctypes._CFuncPtr | None:
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): its allocator gives memory back its own way
        return None


def loop_bytes(
    items: int,
    height: int,
    width: int,
    pulled: bool = False,
    octave: tuple[int, int] | None = None,
    gradient: torch.dtype | None = None,
) -> int:
    """Bytes the dream of ``items`` pictures of ``height`` x ``width`` holds beside a step's gradient at the
    ``octave`` (height, width) (None: the full size): its float copies of the picture (see PICTURE_COPIES, and
    PULL_COPIES when the dream is ``pulled``), one of them the tiles' gradient, in ``gradient``'s dtype (None:
    fp32; a bf16 step's, ``tiled_gradient``), and what the libraries take (RUNTIME_BYTES)."""
    full = items * 3 * height * width * 4
    share = 1.0 if gradient is None else gradient.itemsize / 4  # of an fp32 copy
    if octave is None or tuple(octave) == (height, width):
        copies = full * (PICTURE_COPIES - 1 + share + (PULL_COPIES if pulled else 0))
    else:
        smaller = items * 3 * octave[0] * octave[1] * 4
        copies = full + (2 + share) * smaller + ((PULL_COPIES * full + 4 / 3 * smaller) if pulled else 0)
    return math.ceil(copies) + RUNTIME_BYTES


def step_room(left: int, dtype: torch.dtype | None = None) -> int:
    """The planned step bytes that fit in ``left`` bytes (what a budget leaves beside the loop's copies and
    RUNTIME_BYTES) for a step under autocast to ``dtype`` (None: fp32): the rest goes to what the libraries take in
    proportion to the step (RUNTIME_SHARE, RUNTIME_SHARE_FP32)."""
    return int(left / (1 + _runtime_share(dtype)))


def with_runtime(step: int, dtype: torch.dtype | None = None) -> int:
    """The bytes a step of ``step`` planned bytes takes with the libraries' share: ``step_room``'s inverse."""
    return math.ceil(step * (1 + _runtime_share(dtype)))


def _runtime_share(dtype: torch.dtype | None) -> float:
    return RUNTIME_SHARE_FP32 if dtype is None else RUNTIME_SHARE


def default_budget(device: torch.device) -> int:
    """What a dream may use when the user sets no ``max_memory``: on CUDA a share of the device's free memory
    (counting what torch caches but does not use as free), on the CPU a share of the available RAM."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
        return int(CUDA_SHARE * (free + cached))
    return int(CPU_SHARE * available_ram())


def available_ram() -> int:
    """Bytes of RAM the system can give without swapping: MemAvailable, else free pages (non-Linux)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass  # no /proc: the sysconf figures below
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def parse_size(text: str | int) -> int:
    """Bytes from ``2GiB``, ``1.5G``, ``800MiB``, ``2GB`` (decimal) or a plain number of bytes."""
    if isinstance(text, int) and text > 0:
        return text
    match = _SIZE.fullmatch(str(text).lower())
    if match is None or match.group(2) not in _UNITS:
        raise DreamError(f"memory size {text!r} not understood: write it like 2GiB, 1.5G, 800MiB or 2GB")
    size = int(float(match.group(1)) * _UNITS[match.group(2)])
    if size <= 0:
        raise DreamError(f"memory size {text!r} must be more than 0 bytes, e.g. 2GiB")
    return size


def format_size(size: float) -> str:
    """``1.5 GiB``, ``800 MiB``: for messages."""
    return f"{size / 2**30:.2f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"
