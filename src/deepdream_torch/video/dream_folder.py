"""Mode 2: dream the extracted frames of a folder into another, ``dream_frame_%08d.<ext>``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.dream_run import run_dream
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.folder import source_frames
from deepdream_torch.video.frame import ALL_FRAMES, Dreamer, Frame, FrameRange
from deepdream_torch.video.images import read_image
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.progress import NO_PROGRESS, Progress
from deepdream_torch.video.result import RunResult


def dream_frames(
    frames_in: Path,
    frames_dir: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    *,
    blend: Blend = DEFAULT_BLEND,
    batch_size: int = 1,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    restart: bool = False,
    progress: Progress = NO_PROGRESS,
    flow: Flow = NO_FLOW,
    frame_settings: Mapping[str, object] | None = None,
) -> RunResult:
    """Dream the frames ``frames_in/00000001.<image_type>``, ... into ``frames_dir`` (mode 2).

    Same dreaming, blending, resuming and stopping as ``dream_video`` (mode 0), from a folder instead of a
    video. Raises VideoError when ``frames_in`` is missing, unreadable or has gaps; VideoInterrupted on Ctrl-C
    or SIGTERM, after saving the frames dreamed. ``frame_settings`` and the lock as for ``dream_video`` (the
    lock is on ``frames_dir``).
    """
    frames_in, frames_dir = Path(frames_in), Path(frames_dir)
    image_type = check_image_type(image_type)
    listing = source_frames(frames_in, image_type, frames)
    # The frames there (a folder extracted from a start frame on begins past 1), so that resuming counts from them.
    frames = FrameRange(min(listing), max(listing))

    def read() -> Iterator[Frame]:
        size = None
        for number, path in listing.items():
            image = read_image(path)
            if size is not None and image.shape != size:
                raise VideoError(
                    f"frame {path} is {image.shape[1]}x{image.shape[0]} but the frames before it are "
                    f"{size[1]}x{size[0]}: all frames of a video must have one size"
                )
            size = image.shape
            yield Frame(number, image)

    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):
        outcome = run_dream(
            read,
            frames_dir,
            dreamer,
            layers,
            blend=blend,
            batch_size=batch_size,
            frames=frames,
            image_type=image_type,
            restart=restart,
            total=len(listing),
            progress=progress,
            flow=flow,
            frame_settings=frame_settings,
        )
    if not outcome.complete:
        raise VideoInterrupted(f"interrupted: {outcome.hint}", outcome.done)
    return RunResult(frames_dir, outcome.done, outcome.dreamed, outcome.reused)
