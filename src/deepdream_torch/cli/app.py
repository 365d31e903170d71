"""``deepdream``: the original tool's flags (``deepdream -e video.mp4 -itr 6 --layers a b``) plus a few subcommands.

This file declares the command line and the group that parses it the argparse way and turns every failure into one
line. The flag form becomes a ``Flags`` value handed to ``run.run_flags``; each subcommand is one call into
``commands``. Every ``DeepDreamError`` (and every usage error) leaves as one
line on stderr and exit code 2; a failure of the world (an ``OSError``: disk full, read-only folder, closed stdout;
no memory left) as one line and exit code 1, or 2 when a path the user gave is wrong (``cli/failures.py``); Ctrl-C
as one line and exit code 130. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperGroup

from deepdream_torch.cli.argv import OptionTable, normalize_argv, table_from_options
from deepdream_torch.cli.commands import register
from deepdream_torch.cli.errors import Interrupted, one_line
from deepdream_torch.cli.failures import WorldFailure, world_failure
from deepdream_torch.cli.flags import CUSTOMLOOP, DEFAULT_MODEL_NAME, MODES, RANDOM_SEED, Flags
from deepdream_torch.dreaming.settings import DEFAULT_SETTINGS
from deepdream_torch.errors import DeepDreamError
from deepdream_torch.video.flow import (
    DEFAULT_JITTER_SEED,
    DEFAULT_REFINE_OCTAVES,
    DEFAULT_TEMPORAL,
    TEMPORAL_RANGE,
)

PROG = "deepdream"
IO_PANEL = "Input and output (modes 0-3, single picture)"
MODEL_PANEL = "Model"
DREAM_PANEL = "Dream"
RUN_PANEL = "Machine and messages"
ARTIST_PANEL = "Zoom, channels, preview"

MULTI_VALUE = ("-l", "--layers")  # argparse nargs="+": `--layers a b c`
ALIASES = {"--gi": "--guide-image"}  # the original README writes --gi
OPTIONAL_VALUES = {"--ray": "local"}  # a bare `--ray` starts a Ray instance on this machine
MAX_FRAME = 99_999_999  # frame files are numbered in eight digits (%08d): one more and they sort out of order
MAX_SEED = 2**63 - 1  # seeds are stored and handed to numpy as 64-bit integers (numpy refuses negative ones)
MAX_ANIMATION_FRAMES = 100_000  # over an hour at 24 frames/s; a larger count only runs until someone stops it
MAX_PARALLEL = 1024  # threads or workers: more than any machine or cluster here has cores for


class DeepDreamGroup(TyperGroup):
    """A typer group that reads argparse-style command lines and reports every failure on one line."""

    def option_table(self) -> OptionTable:
        options = []
        for param in self.params:
            takes_value = not getattr(param, "is_flag", False)
            options.append((list(param.opts), takes_value))
            if param.secondary_opts:
                options.append((list(param.secondary_opts), False))
        return table_from_options(
            options, multi_value=MULTI_VALUE, aliases=ALIASES, optional_values=OPTIONAL_VALUES
        )

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["deepdream.bare"] = not args
        return super().parse_args(ctx, normalize_argv(args, self.option_table()))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            raise Interrupted("interrupted (Ctrl-C)") from interrupt
        except (OSError, MemoryError) as error:
            # A failure of the world (disk, folders, stdout, memory), not of the program: one line too.
            raise world_failure(error) from error
        except RuntimeError as error:
            if type(error).__name__ != "OutOfMemoryError":  # torch's, for a GPU out of memory
                raise
            raise WorldFailure(
                f"the device ran out of memory ({one_line(str(error)).split('.')[0]}): use smaller pictures, "
                "fewer octaves or --device cpu",
                1,
            ) from error

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        _hold_standard_fds()
        try:
            result = super().main(args, prog_name or PROG, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
            if code == Interrupted.exit_code:  # typer's silent answer to a Ctrl-C while the line is parsed
                code = _fail("interrupted (Ctrl-C)", code)
        except typer.Abort:
            code = _fail("aborted", 1)
        except DeepDreamError as error:
            code = _fail(str(error), _exit_code(error))
            if isinstance(error, WorldFailure) and error.broken_stdout:
                _silence_stdout()
        except Exception as error:
            if not _is_usage_error(error):
                raise  # a bug: its traceback is the report we want
            if type(error).__name__ == "NoArgsIsHelpError":
                # `deepdream zoo` alone: the help is the answer (rich prints it while the error is made).
                print(error.format_message() or "", end="")
                code = 0
            else:
                code = _fail(f"{error.format_message()} (see {PROG} --help)", 2)
        if standalone_mode:
            sys.exit(code)
        return code


def _exit_code(error: DeepDreamError) -> int:
    """2 for a user's mistake; 130 (the shell's code for SIGINT) for a run stopped by Ctrl-C."""
    # Not imported for the check: an error raised before the video package was imported is none of its own (and
    # importing it then could import torch again after an interrupted import).
    video_errors = sys.modules.get("deepdream_torch.video.errors")
    if video_errors is not None and isinstance(error, video_errors.VideoInterrupted):
        return Interrupted.exit_code
    return getattr(error, "exit_code", 2)


def _is_usage_error(error: BaseException) -> bool:
    # Recognised by shape: typer >= 0.2x vendors click privately, older typer uses click itself.
    return getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message")


def _hold_standard_fds() -> None:
    """Open /dev/null on a standard descriptor the shell closed (`deepdream ... >&-`): else the next file opened
    (a frame, the video) would get descriptor 1 or 2 and receive whatever is printed."""
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass  # stdout is gone entirely (None or detached): nothing will be flushed


def _fail(message: str, code: int) -> int:
    from deepdream_torch import interrupts

    interrupts.answered()  # under the console script, a Ctrl-C now would only cut this line short
    # A stop the user asked for (Ctrl-C) is not an error; its message already begins with "interrupted".
    kind = "" if code == Interrupted.exit_code else "error: "
    print(f"{PROG}: {kind}{one_line(message)}", file=sys.stderr)
    if os.environ.get("DEEPDREAM_DEBUG"):
        import traceback

        traceback.print_exc()
    return code


def _checked_tile(value: str) -> str:
    """--tile as typed, once the dream kernel has read it (one line, exit 2 when it cannot)."""
    if value == "auto":
        return value  # the default, read for every command too (`zoo list`): no need to import torch for it
    from deepdream_torch.dreaming.tiles import parse_tile

    try:
        parse_tile(value)
    except DeepDreamError as error:
        raise typer.BadParameter(str(error)) from error
    return value


def _checked_size(value: str | None) -> str | None:
    """--max-memory as typed, once the dream kernel has read it (one line, exit 2 when it cannot)."""
    if value is None:
        return value  # the default, read for every command too (`zoo list`): no need to import torch for it
    from deepdream_torch.dreaming.memory import parse_size

    try:
        parse_size(value)
    except DeepDreamError as error:
        raise typer.BadParameter(str(error)) from error
    return value


def _checked_seed(value: int) -> int:
    """--seed: 0 to 2^63-1, or -1 for a random one (drawn in ``run.run_flags``); any other negative is one line."""
    if value < RANDOM_SEED:
        raise typer.BadParameter(f"{value} is not a seed: give 0 to {MAX_SEED}, or -1 for a random seed")
    return value


app = typer.Typer(
    name=PROG,
    cls=DeepDreamGroup,
    invoke_without_command=True,
    subcommand_metavar="[COMMAND [ARGS]...]",  # the original form needs no command
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    help=(
        "DeepDream for videos and pictures, with the flags of the original [bold]deepdream.py[/bold].\n\n"
        "[bold]deepdream -e data/videos/my_video.mp4[/bold] extracts the frames, dreams them and assembles "
        "the video (mode 0); [bold]deepdream -sp picture.jpg[/bold] dreams one picture per layer."
    ),
    epilog="Modes: " + "; ".join(f"{number}: {what}" for number, what in MODES.items()) + ".",
)


@app.callback()
def deepdream(
    ctx: typer.Context,
    mode: Annotated[
        int,
        typer.Option("--mode", min=0, max=5, rich_help_panel=IO_PANEL, help="What to do (see Modes below)."),
    ] = 0,
    extract: Annotated[
        Path | None,
        typer.Option("-e", "--extract", rich_help_panel=IO_PANEL, metavar="VIDEO",
                     help="The video to dream (modes 0 and 1 need it; 2 and 3 use its name for the folders)."),
    ] = None,
    single_picture: Annotated[
        Path | None,
        typer.Option("-sp", "--single-picture", rich_help_panel=IO_PANEL, metavar="PICTURE",
                     help="Dream one picture, one result per layer, into data/single_pictures/NAME/."),
    ] = None,
    input_dir: Annotated[
        Path | None,
        typer.Option("-i", "--input", rich_help_panel=IO_PANEL, metavar="DIR",
                     show_default="data/input_frames, or $DEEPDREAM_INPUT",
                     help="Folder of the extracted frames (a subfolder per video)."),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("-o", "--output", rich_help_panel=IO_PANEL, metavar="DIR",
                     show_default="data/output_frames, or $DEEPDREAM_OUTPUT",
                     help="Folder of the dreamed frames (a subfolder per video)."),
    ] = None,
    image_type: Annotated[
        Literal["jpg", "png"],
        typer.Option("-it", "--image-type", case_sensitive=False, rich_help_panel=IO_PANEL,
                     help="Format of the frame files."),
    ] = "jpg",
    start_frame: Annotated[
        int,
        typer.Option("-sf", "--start-frame", min=1, max=MAX_FRAME, rich_help_panel=IO_PANEL,
                     help="First frame to dream (1-based)."),
    ] = 1,
    end_frame: Annotated[
        int | None,
        typer.Option("-ef", "--end-frame", min=1, max=MAX_FRAME, rich_help_panel=IO_PANEL,
                     show_default="the last frame",
                     help="Last frame to dream."),
    ] = None,
    restart: Annotated[
        bool,
        typer.Option("--restart", rich_help_panel=IO_PANEL,
                     help="Dream every frame again instead of resuming after the last finished one."),
    ] = False,
    crf: Annotated[
        int | None,
        typer.Option("--crf", min=0, max=51, rich_help_panel=IO_PANEL, show_default="the encoder's default",
                     help="H.264 quality of the assembled video (lower is better and bigger)."),
    ] = None,
    model_path: Annotated[
        Path | None,
        typer.Option("-p", "--model-path", rich_help_panel=MODEL_PANEL, metavar="DIR",
                     show_default="$DEEPDREAM_MODELS/models/<model name>",
                     help="Folder of the model: its .caffemodel and its deploy .prototxt."),
    ] = None,
    model_name: Annotated[
        str,
        typer.Option("-m", "--model-name", rich_help_panel=MODEL_PANEL, metavar="FILE",
                     help="The .caffemodel file in the model folder."),
    ] = DEFAULT_MODEL_NAME,
    layers: Annotated[
        list[str],
        typer.Option("-l", "--layers", rich_help_panel=MODEL_PANEL, metavar="LAYER...",
                     help="Layers (blobs) to dream, cycled one per frame; several names after one -l. "
                          f"'{CUSTOMLOOP}' is GoogLeNet's inception_4c..5b/output and back."),
    ] = [CUSTOMLOOP],  # noqa: B006 - typer reads the default, nothing mutates it
    octaves: Annotated[
        int, typer.Option("-oct", "--octaves", rich_help_panel=DREAM_PANEL, help="Number of octaves (scales).")
    ] = DEFAULT_SETTINGS.octaves,
    octave_scale: Annotated[
        float,
        typer.Option("-octs", "--octavescale", rich_help_panel=DREAM_PANEL,
                     help="Size ratio between two octaves (greater than 1)."),
    ] = DEFAULT_SETTINGS.octave_scale,
    iterations: Annotated[
        int, typer.Option("-itr", "--iterations", rich_help_panel=DREAM_PANEL, help="Gradient steps per octave.")
    ] = DEFAULT_SETTINGS.iterations,
    jitter: Annotated[
        int, typer.Option("-j", "--jitter", rich_help_panel=DREAM_PANEL, help="Random shift in pixels per step.")
    ] = DEFAULT_SETTINGS.jitter,
    step_size: Annotated[
        float, typer.Option("-s", "--stepsize", rich_help_panel=DREAM_PANEL, help="Gradient step size.")
    ] = DEFAULT_SETTINGS.step_size,
    blend: Annotated[
        str,
        typer.Option("-b", "--blend", rich_help_panel=DREAM_PANEL,
                     help="How much of the next video frame is blended into the last dreamed frame: a number "
                          "from 0 to 1 (1: each frame dreamed on its own), 'loop' (a share that rises 0.5, 0.6, "
                          "... 0.9 frame by frame, then falls back, so the dream ebbs and returns) or 'random' "
                          "(drawn between 0.5 and 1 per frame)."),
    ] = "0.5",
    guide_image: Annotated[
        Path | None,
        typer.Option("-gi", "--guide-image", rich_help_panel=DREAM_PANEL, metavar="PICTURE",
                     help="Dream towards the features of this picture (also --guide_image, --gi)."),
    ] = None,
    chain: Annotated[
        bool,
        typer.Option("--chain", rich_help_panel=DREAM_PANEL,
                     help="Single picture: dream each layer on the previous layer's result, as the original did."),
    ] = False,
    zoom_frames: Annotated[
        int | None,
        typer.Option("--zoom-frames", min=1, max=MAX_ANIMATION_FRAMES, rich_help_panel=ARTIST_PANEL, metavar="N",
                     help="With -sp: a zoom animation of N frames (dream, zoom the result, dream again), as an MP4."),
    ] = None,
    zoom: Annotated[
        float,
        typer.Option("--zoom", max=10.0, rich_help_panel=ARTIST_PANEL,
                     help="Zoom factor per animation frame (above 1 zooms in, below 1 out)."),
    ] = 1.05,
    rotate: Annotated[
        float,
        typer.Option("--rotate", min=-360.0, max=360.0, rich_help_panel=ARTIST_PANEL, metavar="DEG",
                     help="Degrees the animation turns per frame (counter-clockwise)."),
    ] = 0.0,
    pan: Annotated[
        str,
        typer.Option("--pan", rich_help_panel=ARTIST_PANEL, metavar="DX,DY",
                     help="Pixels the animation's view moves per frame, right and down."),
    ] = "0,0",
    zoom_fps: Annotated[
        int,
        typer.Option("--zoom-fps", min=1, max=1000, rich_help_panel=ARTIST_PANEL, help="Frames per second of the zoom MP4."),
    ] = 24,
    channels: Annotated[
        str | None,
        typer.Option("--channels", rich_help_panel=ARTIST_PANEL, metavar="LIST",
                     help="Dream only these channels of each --layers blob, e.g. 12,40-45."),
    ] = None,
    channels_weight: Annotated[
        float,
        typer.Option("--channels-weight", min=-1.0, max=1.0, rich_help_panel=ARTIST_PANEL, metavar="W",
                     help="Weight of the other channels with --channels (0: ignored)."),
    ] = 0.0,
    preview: Annotated[
        bool,
        typer.Option("--preview", rich_help_panel=ARTIST_PANEL,
                     help="A quick look: smaller pictures, half the iterations, into a separate preview folder."),
    ] = False,
    preview_scale: Annotated[
        float,
        typer.Option("--preview-scale", rich_help_panel=ARTIST_PANEL, metavar="F",
                     help="Size of a preview relative to the picture or frame (0 to 1)."),
    ] = 0.25,
    preview_every: Annotated[
        int,
        typer.Option("--preview-every", min=1, max=MAX_FRAME, rich_help_panel=ARTIST_PANEL, metavar="N",
                     help="A video preview dreams every N-th frame only."),
    ] = 10,
    flow: Annotated[
        Literal["off", "dis", "farneback"],
        typer.Option("--flow", rich_help_panel=DREAM_PANEL,
                     help="Carry the last dream along the motion of the video (optical flow of the source "
                          "frames), so patterns follow the picture instead of smearing: dis or farneback."),
    ] = "off",
    flow_quality: Annotated[
        Literal["fast", "medium"],
        typer.Option("--flow-quality", rich_help_panel=DREAM_PANEL, help="DIS optical flow preset."),
    ] = "fast",
    temporal: Annotated[
        float | None,
        typer.Option("--temporal", min=TEMPORAL_RANGE[0], max=TEMPORAL_RANGE[1], rich_help_panel=DREAM_PANEL, metavar="W",
                     show_default=f"{DEFAULT_TEMPORAL:g} with --flow",
                     help="With --flow: every dream step also pulls the frame W of the way towards the last "
                          "dream carried along the motion, where the motion is trusted (0: off)."),
    ] = None,
    jitter_seed: Annotated[
        Literal["frame", "fixed"] | None,
        typer.Option("--jitter-seed", rich_help_panel=DREAM_PANEL,
                     show_default=f"{DEFAULT_JITTER_SEED} with --flow, else frame",
                     help="Jitter of a video: each frame its own shifts (frame: seed + frame number), or the "
                          "same shifts for every frame (fixed)."),
    ] = None,
    refine_octaves: Annotated[
        int | None,
        typer.Option("--refine-octaves", min=0, max=64, rich_help_panel=DREAM_PANEL, metavar="N",
                     show_default=f"{DEFAULT_REFINE_OCTAVES} with --flow",
                     help="With --flow: a frame carried from the last dream is dreamed at its N finest octaves "
                          "only (0: all octaves)."),
    ] = None,
    ray: Annotated[
        str | None,
        # \\[ray]: the help is rich markup, where a bare [ray] is a style tag and vanishes from the text.
        typer.Option("--ray", rich_help_panel=RUN_PANEL, metavar="[ADDRESS]", show_default="off",
                     help="Modes 0 and 2 in chunks on a Ray cluster: alone or 'local' starts Ray here (or joins "
                          "$RAY_ADDRESS); 'auto' or HOST:PORT joins a running cluster. Needs deepdream-torch\\[ray]."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=MAX_PARALLEL, rich_help_panel=RUN_PANEL,
                     show_default="one per GPU, else one per 2 CPUs",
                     help="With --ray: how many workers dream chunks at once."),
    ] = None,
    chunk_frames: Annotated[
        int | None,
        typer.Option("--chunk-frames", min=1, max=MAX_FRAME, rich_help_panel=RUN_PANEL,
                     show_default="19 x warm-up, at most a worker's share",
                     help="With --ray: frames per chunk."),
    ] = None,
    warmup: Annotated[
        int | None,
        typer.Option("--warmup", min=0, max=MAX_FRAME, rich_help_panel=RUN_PANEL, show_default="from the blend (8 at 0.5)",
                     help="With --ray: frames each chunk dreams before its first one, so its blend state "
                          "matches a sequential run's."),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, max=MAX_PARALLEL, rich_help_panel=RUN_PANEL,
                     show_default="torch's choice; with --ray each worker's share of the CPUs",
                     help="CPU threads torch dreams with (per worker with --ray)."),
    ] = None,
    tile: Annotated[
        str,
        typer.Option("--tile", rich_help_panel=RUN_PANEL, metavar="auto|off|N", callback=_checked_tile,
                     help="Dream each step tile by tile: auto (when a frame would not fit in --max-memory), off, "
                          "or tiles of N pixels."),
    ] = "auto",
    max_memory: Annotated[
        str | None,
        typer.Option("--max-memory", rich_help_panel=RUN_PANEL, metavar="SIZE", callback=_checked_size,
                     show_default="CUDA: 85% of the free GPU memory; CPU: half the available RAM",
                     help="Memory a dream may use, e.g. 2GiB or 800MiB; bigger frames are dreamed in tiles."),
    ] = None,
    device: Annotated[
        str,
        typer.Option("--device", rich_help_panel=RUN_PANEL, help="auto (CUDA when present), cpu, cuda or cuda:N."),
    ] = "auto",
    precision: Annotated[
        Literal["auto", "fp32", "bf16", "fp16"],
        typer.Option("--precision", rich_help_panel=RUN_PANEL,
                     help="Arithmetic of the dream: auto (bf16 where the CPU or GPU computes it natively, else "
                          "fp32; said at -v 2), fp32, bf16, fp16 (CUDA only)."),
    ] = "auto",
    seed: Annotated[
        int,
        typer.Option("--seed", max=MAX_SEED, rich_help_panel=RUN_PANEL, callback=_checked_seed,
                     help="Seed of the jitter: same seed, same dream; -1: a random seed (said and recorded, so "
                          "that the dream can be repeated)."),
    ] = 0,
    verbose: Annotated[
        int,
        typer.Option("-v", "--verbose", min=1, max=2, rich_help_panel=RUN_PANEL,
                     help="1: one progress bar; 2: also the octaves and iterations of each frame."),
    ] = 2,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if ctx.meta.get("deepdream.bare"):
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    flags = Flags.from_params(_with_typed(ctx))
    from deepdream_torch.cli.run import run_flags

    run_flags(flags)


register(app)


def parse_flags(argv: Sequence[str]) -> Flags:
    """The ``Flags`` a command line of the original form stands for, without running anything."""
    command = typer.main.get_command(app)
    with command.make_context(PROG, list(argv)) as ctx:
        return Flags.from_params(_with_typed(ctx))


def _with_typed(ctx: Any) -> dict[str, Any]:
    """The parsed parameters plus ``layers_given``: whether --layers was on the command line (its default,
    customloop, only suits GoogLeNet; another model then dreams its own default blob)."""
    source = ctx.get_parameter_source("layers")
    return {**ctx.params, "layers_given": source is not None and source.name != "DEFAULT"}


def run_command() -> None:
    """Parse ``sys.argv`` and run it: every failure one line with its exit code."""
    typer.main.get_command(app).main(prog_name=PROG)
