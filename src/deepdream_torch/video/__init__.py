"""Videos with PyAV: the original tool's modes 0 to 3, streamed, resumable, with audio.

The runner (``runner.run``) calls one loop per mode and the CLI takes folder names from ``paths``; the dreaming
itself comes in as a ``Dreamer`` (frames and one layer per frame in, dreamed frames out), so nothing here builds
a net.

- mode 0: ``dream_video(video, frames_dir, video_out, dreamer, layers, FrameOptions(...))``
- mode 1: ``extract_frames(video, frames_dir, ...)``
- mode 2: ``dream_frames(frames_in, frames_dir, dreamer, layers, FrameOptions(...))``
- mode 3: ``assemble_video(frames_dir, video_out, source=video, ...)``

The names below load on first use, so that the light values (``video.flow``'s ``Flow`` and its defaults, which
``deepdream --help`` shows) import without PyAV, OpenCV or torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepdream_torch.dreaming.layers import layer_for_frame
    from deepdream_torch.video.assemble import assemble_video
    from deepdream_torch.video.blend import Blend, parse_blend
    from deepdream_torch.video.decode import VideoInfo, probe
    from deepdream_torch.video.dream_loop import Dreamer
    from deepdream_torch.video.dream_run import dream_frames, dream_video
    from deepdream_torch.video.errors import VideoError, VideoInterrupted
    from deepdream_torch.video.extract import extract_frames
    from deepdream_torch.video.flow import Flow, parse_flow
    from deepdream_torch.video.frame import FrameRange
    from deepdream_torch.video.options import FrameOptions
    from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, VideoProgress
    from deepdream_torch.video.result import RunResult

# Each exported name and the module that holds it.
_HOMES = {
    "layer_for_frame": "deepdream_torch.dreaming.layers",
    "assemble_video": "deepdream_torch.video.assemble",
    "Blend": "deepdream_torch.video.blend",
    "parse_blend": "deepdream_torch.video.blend",
    "VideoInfo": "deepdream_torch.video.decode",
    "probe": "deepdream_torch.video.decode",
    "VideoError": "deepdream_torch.video.errors",
    "VideoInterrupted": "deepdream_torch.video.errors",
    "extract_frames": "deepdream_torch.video.extract",
    "Flow": "deepdream_torch.video.flow",
    "parse_flow": "deepdream_torch.video.flow",
    "Dreamer": "deepdream_torch.video.dream_loop",
    "FrameRange": "deepdream_torch.video.frame",
    "dream_frames": "deepdream_torch.video.dream_run",
    "dream_video": "deepdream_torch.video.dream_run",
    "FrameOptions": "deepdream_torch.video.options",
    "NO_PROGRESS": "deepdream_torch.video.progress",
    "FrameDone": "deepdream_torch.video.progress",
    "VideoProgress": "deepdream_torch.video.progress",
    "RunResult": "deepdream_torch.video.result",
}

__all__ = [
    "NO_PROGRESS",
    "Blend",
    "Dreamer",
    "Flow",
    "FrameDone",
    "FrameOptions",
    "FrameRange",
    "RunResult",
    "VideoError",
    "VideoInfo",
    "VideoInterrupted",
    "VideoProgress",
    "assemble_video",
    "dream_frames",
    "dream_video",
    "extract_frames",
    "layer_for_frame",
    "parse_blend",
    "parse_flow",
    "probe",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'deepdream_torch.video' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
