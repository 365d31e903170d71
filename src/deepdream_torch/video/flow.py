"""How a video's dream follows the motion of its frames, as one value: what ``--flow``, ``--flow-quality``,
``--temporal``, ``--refine-octaves`` and ``--jitter-seed`` ask, each default written here once.

The motion itself (OpenCV's optical flow, the forward–backward check) is ``motion.py``'s; what is carried along it
(the next input, the warped dream, the temporal pull) is ``carry.py``'s. This module holds only the settings and
imports nothing heavy, so that the CLI's ``--help`` reads the defaults from here and every layer (the CLI, the Ray
job, the video modes) passes one checked value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deepdream_torch.dreaming.settings import PULL_WEIGHT_RANGE
from deepdream_torch.video.errors import VideoError

FLOW_METHODS = ("off", "dis", "farneback")
FLOW_QUALITIES = ("fast", "medium")
# Whose jitter a frame draws: "frame" seeds frame n with seed + n (each frame its own shifts), "fixed" gives every
# frame the run's seed (one shift sequence for all, so the jitter does not reshuffle the dream every frame).
JITTER_SEEDS = ("frame", "fixed")
# The temporal weight is the weight of the kernel's pull towards the carried dream: its range is the pull's.
TEMPORAL_RANGE = PULL_WEIGHT_RANGE
# With a flow method: the temporal pull's weight, refining and whose jitter a frame draws, the best combination
# bench_flow.py measured (benchmarks/README.md). Without one a video dreams as before: no pull, each frame its own
# jitter seed.
DEFAULT_TEMPORAL = 0.3
DEFAULT_REFINE_OCTAVES = 1
DEFAULT_JITTER_SEED = "fixed"


@dataclass(frozen=True)
class Flow:
    """How the previous dream follows motion: ``method`` off, ``dis`` or ``farneback``; ``quality`` for DIS;
    ``temporal``: the weight (0 to 1) with which every ascent step of a carried frame is also pulled towards
    the warped previous dream where the motion is trusted (0: the warped dream only seeds the frame's input);
    ``refine``: a carried frame is dreamed at its ``refine`` finest octaves only (0: all), as it starts from a
    dream already; ``jitter_seed``: whose jitter a frame draws (``JITTER_SEEDS``).

    Every value is checked here, once, whoever builds it (the CLI through ``parse_flow``, a Ray job, a test)."""

    method: Literal["off", "dis", "farneback"] = "off"
    quality: Literal["fast", "medium"] = "fast"
    temporal: float = 0.0
    refine: int = 0
    jitter_seed: Literal["frame", "fixed"] = "frame"

    def __post_init__(self) -> None:
        if self.method not in FLOW_METHODS:
            raise VideoError(f"flow {self.method!r} is not one of {', '.join(FLOW_METHODS)}: give one of them")
        if self.quality not in FLOW_QUALITIES:
            raise VideoError(
                f"flow quality {self.quality!r} is not one of {', '.join(FLOW_QUALITIES)}: give one of them"
            )
        low, high = TEMPORAL_RANGE
        temporal = self.temporal
        if not isinstance(temporal, int | float) or not low <= temporal <= high:  # NaN fails the range too
            raise VideoError(f"temporal weight {temporal!r} is not from 0 to 1: give e.g. 0.2, or 0 for none")
        if not isinstance(self.refine, int) or self.refine < 0:
            raise VideoError(
                f"refine octaves {self.refine!r} is not a whole number from 0: give e.g. 1, or 0 for all"
            )
        if self.jitter_seed not in JITTER_SEEDS:
            raise VideoError(
                f"jitter seed {self.jitter_seed!r} is not one of {', '.join(JITTER_SEEDS)}: give one of them"
            )
        if (temporal or self.refine) and self.off:
            raise VideoError(
                "a temporal weight or refining acts on the dream carried along the motion: give a flow method"
            )
        object.__setattr__(self, "temporal", float(temporal))

    @property
    def off(self) -> bool:
        """Whether the previous dream is mixed in where it was (the plain blend), not carried along the motion."""
        return self.method == "off"

    @property
    def pulls(self) -> bool:
        """Whether a carried frame's ascent is pulled towards the warped previous dream (a temporal weight)."""
        return not self.off and self.temporal > 0

    @property
    def refines(self) -> bool:
        """Whether a carried frame is dreamed at its finest octaves only."""
        return not self.off and self.refine > 0

    @property
    def steers(self) -> bool:
        """Whether a carried frame is handed to the dreamer with a ``Pull`` (``pulls``, ``refines`` or both: a
        pull of weight 0 still says which octaves to dream)."""
        return self.pulls or self.refines


NO_FLOW = Flow()


def parse_flow(
    method: str,
    quality: str = "fast",
    temporal: float | None = None,
    refine: int | None = None,
    jitter_seed: str | None = None,
) -> Flow:
    """The ``Flow`` that ``--flow``, ``--flow-quality``, ``--temporal``, ``--refine-octaves`` and
    ``--jitter-seed`` name; None takes the default for ``method`` (``DEFAULT_*`` with a flow method, else no pull,
    no refining and each frame its own jitter seed). Raises VideoError for other words, a temporal weight outside
    0 to 1 and a negative octave count."""
    method, quality = str(method).strip().lower(), str(quality).strip().lower()
    flowing = method in FLOW_METHODS and method != "off"
    return Flow(
        method,  # type: ignore[arg-type]
        quality,  # type: ignore[arg-type]
        (DEFAULT_TEMPORAL if flowing else 0.0) if temporal is None else temporal,
        (DEFAULT_REFINE_OCTAVES if flowing else 0) if refine is None else refine,
        (DEFAULT_JITTER_SEED if flowing else "frame") if jitter_seed is None else jitter_seed,  # type: ignore[arg-type]
    )
