"""Videos with PyAV: the original tool's modes 0 to 3, streamed, resumable, with audio.

The runner (``runner.run``) calls one loop per mode and the CLI takes folder names from ``paths``; the dreaming
itself comes in as a ``Dreamer`` (frames and one layer per frame in, dreamed frames out), so nothing here builds
a net.

- mode 0: ``dream_video(video, frames_dir, video_out, dreamer, layers, FrameOptions(...))``
- mode 1: ``extract_frames(video, frames_dir, ...)``
- mode 2: ``dream_frames(frames_in, frames_dir, dreamer, layers, FrameOptions(...))``
- mode 3: ``assemble_video(frames_dir, video_out, source=video, ...)``
"""

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
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, Progress
from deepdream_torch.video.result import RunResult

__all__ = [
    "NO_PROGRESS",
    "Blend",
    "Dreamer",
    "Flow",
    "FrameDone",
    "FrameOptions",
    "FrameRange",
    "Progress",
    "RunResult",
    "VideoError",
    "VideoInfo",
    "VideoInterrupted",
    "assemble_video",
    "dream_frames",
    "dream_video",
    "extract_frames",
    "layer_for_frame",
    "parse_blend",
    "parse_flow",
    "probe",
]
