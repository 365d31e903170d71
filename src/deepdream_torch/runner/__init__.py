"""One runner for every mode: a run is a frozen value (``runs.py``), ``run(job, reporter, cancel)`` runs it
(``run.py``) and reports through an interface of events (``events.py``); ``DreamRecipe`` builds every dreamer."""

from deepdream_torch.runner.events import Cancel, FrameDone, NoReporter, Reporter, Started, Stopped
from deepdream_torch.runner.recipe import DreamRecipe
from deepdream_torch.runner.run import Result, run
from deepdream_torch.runner.runs import Dreaming, Encoder, PictureRun, RayPlan, VideoRun, ZoomRun

__all__ = [
    "Cancel",
    "DreamRecipe",
    "Dreaming",
    "Encoder",
    "FrameDone",
    "NoReporter",
    "PictureRun",
    "RayPlan",
    "Reporter",
    "Result",
    "Started",
    "Stopped",
    "VideoRun",
    "ZoomRun",
    "run",
]
