"""A frames folder as the checkpoint of a dream run: the one owner of its lifecycle across runs.

Every runner that dreams numbered frames into a folder (modes 0 and 2, the Ray driver, the zoom animation) goes
through the same steps, here in one place: ``open`` (refuse inputs under the names a run writes, refuse frames of
other settings or with ``restart`` forget them, delete the range to redo), the resume point (``finished_until``
for runs whose frames depend on the one before, ``finished`` for runs that fill any gap), ``begin`` (say where it
resumes and record the settings), ``close`` (record how far it got) and the ``hint`` an interrupted run ends with.
The lock on the folder (``lock.output_lock``) is the caller's: it spans more than the folder (a partial video).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.frame_files import finished_until, forget_dreamed, numbered_files
from deepdream_torch.video.manifest import check_settings, forget_other_dream, record_outcome, record_settings
from deepdream_torch.video.paths import DREAM_FRAME
from deepdream_torch.video.progress import VideoProgress
from deepdream_torch.video.result import refuse_to_overwrite_inputs_in, resume_hint


@dataclass(frozen=True)
class FramesCheckpoint:
    """The frames ``frames`` of ``frames_dir`` (``dream_frame_%08d.<image_type>``), ``total`` of them, dreamed
    with ``settings`` (a JSON-able mapping of what shapes a frame; None: nothing is checked or recorded)."""

    frames_dir: Path
    image_type: str
    frames: FrameRange
    total: int
    settings: Mapping[str, object] | None = None
    restart: bool = False

    @classmethod
    def open(
        cls,
        frames_dir: Path,
        image_type: str,
        frames: FrameRange,
        total: int,
        settings: Mapping[str, object] | None = None,
        restart: bool = False,
    ) -> FramesCheckpoint:
        """The checkpoint of ``frames_dir``, made ready for a run before anything is dreamed.

        Refuses a protected input (a guide picture) under a name the run writes; frames dreamed with other
        settings are refused (``manifest.SettingsChanged``) or, with ``restart``, all deleted; ``restart`` also
        deletes the frames of ``frames``.
        """
        frames_dir = Path(frames_dir)
        refuse_to_overwrite_inputs_in(frames_dir)  # before any deleting
        frames_dir.mkdir(parents=True, exist_ok=True)
        if not cls.check(frames_dir, settings, restart):
            forget_other_dream(frames_dir)  # --restart after a change: no frame of the other dream may stay
        if restart:
            forget_dreamed(frames_dir, image_type, frames)
        return cls(frames_dir, image_type, frames, total, settings, restart)

    @staticmethod
    def check(frames_dir: Path, settings: Mapping[str, object] | None, restart: bool) -> bool:
        """Whether the frames of ``frames_dir`` may be resumed with ``settings`` (``manifest.check_settings``),
        for a runner that must refuse before it opens anything else (mode 0's partial video)."""
        return settings is None or check_settings(frames_dir, settings, restart)

    def finished_until(self) -> int:
        """The last frame of the unbroken run of finished frames from the first (``start - 1`` when none): a run
        whose frames each depend on the one before resumes after it."""
        return finished_until(self.frames_dir, self.image_type, self.frames)

    def finished(self) -> set[int]:
        """Every finished frame of the range, gaps allowed (chunks dreamed on their own)."""
        found = numbered_files(self.frames_dir, DREAM_FRAME, self.image_type)
        return {number for number in found if number in self.frames}

    def begin(self, already: int, progress: VideoProgress, last: int | None = None) -> None:
        """Say how far earlier runs got (``after frame last`` when they are the first ``already`` frames in a row)
        and record the settings with the run under way."""
        if already and last is not None:
            progress.log(1, f"resuming after frame {last}: {already} frames are already dreamed in {self.frames_dir}")
        elif already:
            progress.log(1, f"resuming: {already} of {self.total} frames are already dreamed in {self.frames_dir}")
        if self.settings is not None:
            record_settings(self.frames_dir, self.settings, done=already, total=self.total)

    def close(self, done: int, complete: bool) -> None:
        """Record how the run ended: ``done`` of the frames, ``complete`` when it dreamed all it was asked for."""
        if self.settings is not None:
            record_outcome(self.frames_dir, done, self.total, complete)

    def hint(self, done: int, next_frame: int) -> str:
        """Where an interrupted run left things and how to go on (``result.resume_hint``)."""
        return resume_hint(done, self.total, self.frames_dir, next_frame, self.restart)
