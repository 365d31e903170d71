"""How a video's dream follows the motion of its frames, as a value: what ``--flow`` and its companions ask.

The motion itself (OpenCV's optical flow, the forward–backward check) is ``motion.py``'s; what is carried along it
(the next input, the warped dream, the temporal pull) is ``carry.py``'s. This module holds only the settings, so
that every layer (the CLI, the Ray job, the video modes) passes one checked value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deepdream_torch.video.errors import VideoError

FLOW_METHODS = ("off", "dis", "farneback")
FLOW_QUALITIES = ("fast", "medium")


@dataclass(frozen=True)
class Flow:
    """How the previous dream follows motion: ``method`` off, ``dis`` or ``farneback``; ``quality`` for DIS;
    ``temporal``: the weight (0 to 1) with which every ascent step of a carried frame is also pulled towards
    the warped previous dream where the motion is trusted (0: the warped dream only seeds the frame's input);
    ``refine``: a carried frame is dreamed at its ``refine`` finest octaves only (0: all), as it starts from a
    dream already."""

    method: Literal["off", "dis", "farneback"] = "off"
    quality: Literal["fast", "medium"] = "fast"
    temporal: float = 0.0
    refine: int = 0

    @property
    def pulls(self) -> bool:
        """Whether carried frames are handed to the dreamer with a ``Pull`` (a temporal weight, or refining)."""
        return not self.off and (self.temporal > 0 or self.refine > 0)

    @property
    def off(self) -> bool:
        return self.method == "off"


NO_FLOW = Flow()


def parse_flow(method: str, quality: str = "fast", temporal: float = 0.0, refine: int = 0) -> Flow:
    """The ``Flow`` that ``--flow``, ``--flow-quality``, ``--temporal`` and ``--refine-octaves`` name; raises
    VideoError for other words, a temporal weight outside 0 to 1 and a negative octave count."""
    method, quality = str(method).strip().lower(), str(quality).strip().lower()
    if method not in FLOW_METHODS:
        raise VideoError(f"flow {method!r} is not one of {', '.join(FLOW_METHODS)}: give one of them")
    if quality not in FLOW_QUALITIES:
        raise VideoError(
            f"flow quality {quality!r} is not one of {', '.join(FLOW_QUALITIES)}: give one of them"
        )
    if not isinstance(temporal, int | float) or not 0 <= temporal <= 1:  # NaN fails the range too
        raise VideoError(f"temporal weight {temporal!r} is not from 0 to 1: give e.g. 0.2, or 0 for none")
    if not isinstance(refine, int) or refine < 0:
        raise VideoError(f"refine octaves {refine!r} is not a whole number from 0: give e.g. 1, or 0 for all")
    if (temporal or refine) and method == "off":
        raise VideoError("a temporal weight or refining acts on the dream carried along the motion: give a flow method")
    return Flow(method, quality, float(temporal), refine)  # type: ignore[arg-type]
