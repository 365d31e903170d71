"""--flow against the plain blend: temporal error, dream strength, drift, and what the optical flow costs.

For each clip (the shared ``nature_1sm480.mkv`` and ``lions_small_b75.mkv``, and a generated pan over a texture
whose motion is known exactly) and each net (the real open_nsfw weights, and GoogLeNet with random weights), the
same frames are dreamed with the plain blend, ``--flow dis`` and ``--flow farneback`` (blend 0.5, frame n seeded
with n as the CLI does), through ``video.dream_loop.dream_sequence`` as the video modes call it.

- temporal error: mean |out_t − warp(out_{t−1})| over reliable pixels ÷ the same for the source frames, and
  the floor no motion compensation can beat: the same figure for the first frame dreamed as a still clip. The
  reference motion is the known pan for the generated clip and DIS *medium* for the real ones (``--flow dis``
  uses the fast preset, so the judge is not the method judged). Goal: flow at most half the plain blend.
- dream strength: mean |out − source| (flow should stay within ±20 % of the plain blend: no winning by
  dreaming less). Drift: slope per 100 frames of the mean brightness of out − source over 150 frames, for the
  plain blend, flow warping the dream itself (what ``flow.py`` does) and flow warping the dream's detail.
- cost: ms per frame of the motion (two flows and the mask, on the reading thread) at 540p and 1080p for DIS fast,
  DIS medium and Farneback, of the warp and mix (on the dreamer's thread), beside the dream's seconds per frame;
  and mode 0's frames per second with ``--flow dis`` ÷ the dreamer alone on the same frames (goal ≥ 0.95).

A 2-core shared machine sets the sizes: frames are dreamed at 160 px wide (drift at 128), 2 octaves x 3
iterations, open_nsfw on ``eltwise_stage2_block2`` (stage 2 of the 1by2 ResNet-50: eyes and whorls), GoogLeNet on
``inception_3b/output``. ``--part strip`` writes ``docs/flow_before_after.png`` (lions at its 320x180, frames 8,
16, 24: blend only above, ``--flow dis`` below).

The temporal controls (issue 17), ``--part temporal``: for each net and clip, the blend, ``--flow dis`` as it was
(its input seeded by the warped dream only), and each control alone and combined: one fixed jitter seed for every
frame (``--jitter-seed fixed``), the pull towards the warped previous dream inside every step (``--temporal W``),
carried frames dreamed at their finest octave only (``--refine-octaves 1``). Each row: E_warp (Lai et al. 2018,
motion and non-occlusion mask from the *source* frames, computed once: DIS medium, the pan's known motion) ÷ the
source footage's own and ÷ the blend's; dream strength as the objective the dream raises (mean ½‖blob‖² of out
minus that of the source) ÷ a still dream's of the same frames (each dreamed alone, as ``-sp``), so that
"steadier" cannot mean "dreams less" and the blend's ghost does not count; seconds per frame ÷ flow before (noisy
on a shared machine: ``--part temporal-cost`` times them in interleaved rounds). ``--part temporal-drift``: the
brightness slope over ``--drift-frames`` frames for the same controls.

    python benchmarks/bench_flow.py [--part all|quality|drift|strip|cost] [--frames 24] [--width 160]
    python benchmarks/bench_flow.py --part temporal --width 480 --nets open_nsfw [--clips nature,lions,pan]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from deepdream_torch import dream_batch, load_caffe
from deepdream_torch.dreaming.pixels import mean_tensor, to_net
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.video import dream_loop
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.decode import decode_frames
from deepdream_torch.video.dream_run import dream_video
from deepdream_torch.video.flow import NO_FLOW, Flow, Motion, flow_input, frame_motion, warp
from deepdream_torch.video.frame import Frame, FrameRange, frame_seeds
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.progress import NO_PROGRESS
from deepdream_torch.video.stability import warping_error

CPU = Runtime(device="cpu")
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BLEND = Blend(value=0.5)
DIS, FARNEBACK = Flow("dis", "fast"), Flow("farneback")
JUDGE = Flow("dis", "medium")
PAN = (2, 1)  # the generated clip's content moves 2 px right and 1 px down per frame
Dreamer = Callable[..., np.ndarray]


def clip_frames(name: str, count: int, width: int) -> list[np.ndarray]:
    """``count`` frames of a shared clip, resized to ``width`` (the aspect kept, even sizes)."""
    frames = [f.image for f in decode_frames(SHARED / "media" / name, FrameRange(1, count))]
    height = 2 * round(frames[0].shape[0] * width / frames[0].shape[1] / 2)
    return [cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for f in frames]


def pan_frames(count: int, width: int) -> list[np.ndarray]:
    """A camera panning over a smooth random texture: frame t's content is frame 0's moved by t·PAN."""
    height = 2 * round(width * 9 / 16 / 2)
    rng = np.random.default_rng(0)
    big = (height + PAN[1] * count + 8, width + PAN[0] * count + 8)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (*big, 3)).astype(np.uint8), (0, 0), 3.0)
    texture = cv2.normalize(texture, None, 0, 255, cv2.NORM_MINMAX)
    top, left = PAN[1] * count, PAN[0] * count
    return [
        texture[
            top - PAN[1] * t : top - PAN[1] * t + height, left - PAN[0] * t : left - PAN[0] * t + width
        ].copy()
        for t in range(count)
    ]


def dreamers(folder: Path, googlenet: bool) -> dict[str, tuple[Dreamer, str]]:
    settings = DreamSettings(octaves=2, iterations=3, jitter=8, step_size=1.5)
    nsfw = SHARED / "models/open_nsfw"
    out: dict[str, tuple[Dreamer, str]] = {}
    net = load_caffe(nsfw / "deploy.prototxt", nsfw / "resnet_50_1by2_nsfw.caffemodel")

    def open_nsfw(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        return dream_batch(frames, net, layers, replace(settings, mean=(104.0, 117.0, 123.0)), CPU, seed=list(numbers))

    out["open_nsfw"] = (open_nsfw, "eltwise_stage2_block2")
    if googlenet:
        prototxt = SHARED / "models/bvlc_googlenet/deploy.prototxt"
        gnet = load_caffe(
            prototxt, write_random_caffemodel(prototxt, folder / "googlenet.caffemodel", seed=0)
        )

        def random_googlenet(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
            return dream_batch(frames, gnet, layers, settings, CPU, seed=list(numbers))

        out["googlenet (random)"] = (random_googlenet, "inception_3b/output")
    return out


def dream_clip(
    images: list[np.ndarray], dreamer: Dreamer, blob: str, flow: Flow, carry: str = "dream"
) -> list[np.ndarray]:
    """The dreamed frames, through the video modes' own loop; ``carry`` is passed to ``flow.flow_input``, to
    measure its two choices."""
    frames = [Frame(n, image) for n, image in enumerate(images, start=1)]
    real = dream_loop.flow_input
    dream_loop.flow_input = functools.partial(real, carry=carry)  # type: ignore[assignment]
    try:
        items = dream_loop.dream_sequence(
            frames, dreamer, [blob], FrameOptions(BLEND, flow), finished=lambda n: None, stop=threading.Event(),
            progress=NO_PROGRESS, total=len(frames),
        )  # fmt: skip
        return [item.frame.image for item in items]
    finally:
        dream_loop.flow_input = real


def reference_motions(images: list[np.ndarray], known: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(sample_at, reliable) for frames 2.. : the known pan, or DIS medium with its forward–backward mask."""
    out = []
    height, width = images[0].shape[:2]
    grid = np.stack(np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)), -1)
    for before, now in itertools.pairwise(images):
        if known:
            sample_at = grid - np.float32(PAN)
            reliable = np.zeros((height, width), bool)
            reliable[PAN[1] + 1 :, PAN[0] + 1 :] = True
        else:
            motion = frame_motion(before, now, JUDGE)
            sample_at, reliable = motion.sample_at, motion.mask > 0.99
        out.append((sample_at, reliable))
    return out


def temporal_error(frames: list[np.ndarray], motions: list[tuple[np.ndarray, np.ndarray]]) -> float:
    errors = []
    for (before, now), (sample_at, reliable) in zip(itertools.pairwise(frames), motions, strict=True):
        moved = warp(before.astype(np.float32), sample_at)
        if reliable.any():  # a scene cut leaves nothing reliable: nothing to compare there
            errors.append(float(np.abs(now.astype(np.float32) - moved)[reliable].mean()))
    return float(np.mean(errors))


def strength(frames: list[np.ndarray], images: list[np.ndarray]) -> float:
    return float(
        np.mean([np.abs(f.astype(np.float32) - i).mean() for f, i in zip(frames, images, strict=True)])
    )


def drift_slope(frames: list[np.ndarray], images: list[np.ndarray]) -> tuple[float, float]:
    """(slope per 100 frames, last value) of mean(out − source), in grey levels."""
    offsets = [float((f.astype(np.float32) - i).mean()) for f, i in zip(frames, images, strict=True)]
    slope = np.polyfit(np.arange(len(offsets)), offsets, 1)[0]
    return 100 * float(slope), offsets[-1]


# (label, flow, what flow_input warps): the dream itself (the default) or its detail, dream − source.
RUNS = (
    ("blend", NO_FLOW, "dream"),
    ("dis, dream warped", DIS, "dream"),
    ("dis, detail warped", DIS, "detail"),
    ("farneback, dream", FARNEBACK, "dream"),
)


def quality_table(
    nets: dict[str, tuple[Dreamer, str]], clips: dict[str, tuple[list[np.ndarray], bool]]
) -> None:
    print(
        f"{'net':<19} {'clip':<20} {'run':<19} {'temp.err':>8} {'÷source':>7} {'÷blend':>6} "
        f"{'strength':>8} {'÷blend':>6}"
    )
    for net_name, (dreamer, blob) in nets.items():
        for clip_name, (images, known) in clips.items():
            motions = reference_motions(images, known)
            source_error = temporal_error(images, motions)
            base = None
            for label, flow, carry in RUNS:
                began = time.perf_counter()
                frames = dream_clip(images, dreamer, blob, flow, carry)
                error, power = temporal_error(frames, motions), strength(frames, images)
                base = base or (error, power)
                of_source = f"{error / source_error:>7.2f}" if source_error > 1e-6 else f"{'(0)':>7}"
                print(
                    f"{net_name:<19} {clip_name:<20} {label:<19} {error:>8.2f} {of_source} "
                    f"{error / base[0]:>6.2f} {power:>8.2f} {power / base[1]:>6.2f}"
                    f"   ({time.perf_counter() - began:.0f} s)",
                    flush=True,
                )
            # The floor no flow can go under: the flicker of dreaming alone, on the first frame held still
            # (each frame's jitter is seeded by its number, so even a still picture's dream changes a little).
            still = dream_clip([images[0]] * len(images), dreamer, blob, NO_FLOW)
            error = float(
                np.mean([np.abs(b.astype(np.float32) - a).mean() for a, b in itertools.pairwise(still)])
            )
            print(
                f"{net_name:<19} {clip_name:<20} {'still frame (floor)':<19} {error:>8.2f} {'':>7} {error / base[0]:>6.2f}"
            )


def drift_table(dreamer: Dreamer, blob: str, count: int) -> None:
    images = clip_frames("nature_1sm480.mkv", count, 128)
    print(
        f"\ndrift over {len(images)} frames of nature_1sm480.mkv at {images[0].shape[1]}x{images[0].shape[0]}"
    )
    print(f"{'run':<26} {'out − source, slope /100 frames':>32} {'at the end':>11} {'temporal err':>13}")
    motions = reference_motions(images, False)
    source_error = temporal_error(images, motions)
    for label, flow, carry in RUNS[:3]:
        frames = dream_clip(images, dreamer, blob, flow, carry)
        slope, last = drift_slope(frames, images)
        error = temporal_error(frames, motions) / source_error
        print(f"{label:<26} {slope:>+32.3f} {last:>+11.2f} {error:>13.2f}", flush=True)


def cost_table(dreamer: Dreamer, blob: str, folder: Path, pipeline_frames: int) -> None:
    frame = clip_frames("nature_1sm480.mkv", 2, 480)
    print(
        "\nflow cost, ms per frame (two flows + the mask, on the reading thread; warp + mix on the dreamer's)"
    )
    print(f"{'size':<10} {'DIS fast':>9} {'DIS medium':>11} {'Farneback':>10} {'warp+mix':>9}")
    for width, height in ((960, 540), (1920, 1080)):
        a, b = (cv2.resize(f, (width, height), interpolation=cv2.INTER_CUBIC) for f in frame)
        row = [1000 * _best(functools.partial(frame_motion, a, b, flow)) for flow in (DIS, JUDGE, FARNEBACK)]
        row.append(1000 * _best(functools.partial(flow_input, a, a, b, frame_motion(a, b, DIS), 0.5)))
        print(
            f"{width}x{height:<5} "
            + " ".join(f"{v:>{w}.0f}" for v, w in zip(row, (9, 11, 10, 9), strict=True))
        )
    big = cv2.resize(frame[0], (960, 540), interpolation=cv2.INTER_CUBIC)[None]
    seconds = _best(lambda: dreamer(big, [blob], [1]), rounds=1)
    print(f"dream of one 960x540 frame (open_nsfw, same settings): {seconds:.1f} s")

    clip = SHARED / "media/nature_1sm480.mkv"
    frames = FrameRange(1, pipeline_frames)
    images = np.stack([f.image for f in decode_frames(clip, frames)])
    fps: dict[str, list[float]] = {"dreamer alone": [], "mode 0, blend": [], "mode 0, --flow dis": []}
    for round_ in range(2):  # interleaved, so that a busy spell of the shared machine hits all three alike
        began = time.perf_counter()
        for n, image in enumerate(images, start=1):
            dreamer(image[None], [blob], [n])
        fps["dreamer alone"].append(pipeline_frames / (time.perf_counter() - began))
        for label, flow in (("mode 0, blend", NO_FLOW), ("mode 0, --flow dis", DIS)):
            out = folder / f"{label[-4:]}{round_}"
            began = time.perf_counter()
            dream_video(clip, out, out / "out.mp4", dreamer, [blob], options=FrameOptions(blend=BLEND, frames=frames, flow=flow))
            fps[label].append(pipeline_frames / (time.perf_counter() - began))
    alone = max(fps["dreamer alone"])
    print(f"\n{pipeline_frames} frames of nature_1sm480.mkv (480x270), best of 2 interleaved rounds")
    for label, values in fps.items():
        print(f"{label:<20} {max(values):.3f} frames/s   ÷ dreamer alone {max(values) / alone:.2f}")
    print("goal: mode 0 with --flow dis ÷ dreamer alone >= 0.95")


def _best(work: Callable[[], object], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def save_strip(path: Path, settings: DreamSettings) -> None:
    """Lions at 320x180, frames 8, 16, 24: the blend, ``--flow dis`` before the temporal controls, and ``--flow dis``
    with today's defaults, each row with its E_warp ÷ the footage's written under it."""
    from deepdream_torch.cli.flags import DEFAULT_JITTER_SEED, DEFAULT_REFINE_OCTAVES, DEFAULT_TEMPORAL

    nsfw = SHARED / "models/open_nsfw"
    net = load_caffe(nsfw / "deploy.prototxt", nsfw / "resnet_50_1by2_nsfw.caffemodel")
    mean, blob = (104.0, 117.0, 123.0), "eltwise_stage2_block2"
    default = replace(DIS, temporal=DEFAULT_TEMPORAL, refine=DEFAULT_REFINE_OCTAVES)
    controls = [
        Control("blend only", NO_FLOW),
        Control("--flow dis before --temporal", DIS),
        Control("--flow dis (defaults now)", default, DEFAULT_JITTER_SEED),
    ]
    images = clip_frames("lions_small_b75.mkv", 24, 320)
    motions = judge_motions(images, False)
    source = e_warp(images, motions)
    parts = []
    for control in controls:
        frames = sequence(images, net_dreamer(net, mean, settings, control), blob, control.flow)
        ratio = e_warp(frames, motions) / source
        row = np.concatenate([frames[n - 1] for n in (8, 16, 24)], axis=1)
        caption = np.full((22, row.shape[1], 3), 255, np.uint8)
        text = f"{control.label}: E_warp {ratio:.2f} x the footage's"
        cv2.putText(caption, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        parts += [row, caption]
        print(f"{control.label:<32} E_warp ÷ source {ratio:.2f}", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(parts)).save(path, optimize=True)
    print(f"\nwrote {path} (rows: {', '.join(c.label for c in controls)}; lions frames 8, 16, 24)")


def sharpness_table(net: torch.nn.Module, mean, blob: str, settings: dict, count: int, width: int) -> None:
    """How sharp the dream stays when carried: mean |Laplacian| (grey) of the last 8 frames of lions, beside
    E_warp ÷ source and strength ÷ still, for the blend, flow before, and the default with the carried dream
    warped bicubically (as it is) or bilinearly (as it was first)."""
    from deepdream_torch.cli.flags import DEFAULT_JITTER_SEED, DEFAULT_REFINE_OCTAVES, DEFAULT_TEMPORAL

    images = clip_frames("lions_small_b75.mkv", count, width)
    motions = judge_motions(images, False)
    source = e_warp(images, motions)

    def sharp(frames: list[np.ndarray]) -> float:
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) for f in frames[-8:]]
        return float(np.mean([np.abs(cv2.Laplacian(g, cv2.CV_32F)).mean() for g in grey]))

    raised = dream_energy(net, mean, blob, images)
    still = [
        net_dreamer(net, mean, settings, Control("still"))(image[None], [blob], [n])[0]
        for n, image in enumerate(images, start=1)
    ]
    still_gain = dream_energy(net, mean, blob, still) - raised
    print(f"\nsharpness, {count} frames of lions_small_b75.mkv at {images[0].shape[1]}x{images[0].shape[0]}")
    print(f"{'run':<34} {'|Laplacian|':>11} {'E_warp÷source':>14} {'strength÷still':>15}")
    print(f"{'source footage':<34} {sharp(images):>11.2f}")
    print(f"{'still dreams':<34} {sharp(still):>11.2f}")
    default = replace(DIS, temporal=DEFAULT_TEMPORAL, refine=DEFAULT_REFINE_OCTAVES)
    real = dream_loop.warped_dream
    for label, control, bilinear in (
        ("blend", Control("blend"), False),
        ("flow (before)", Control("before", DIS), False),
        ("default, dream warped bilinearly", Control("default", default, DEFAULT_JITTER_SEED), True),
        ("default (bicubic)", Control("default", default, DEFAULT_JITTER_SEED), False),
    ):
        if bilinear:
            dream_loop.warped_dream = lambda dream, motion, sharp=False: real(dream, motion)  # type: ignore[assignment]
        try:
            frames = sequence(images, net_dreamer(net, mean, settings, control), blob, control.flow)
        finally:
            dream_loop.warped_dream = real
        gain = (dream_energy(net, mean, blob, frames) - raised) / still_gain
        print(
            f"{label:<34} {sharp(frames):>11.2f} {e_warp(frames, motions) / source:>14.2f} {gain:>15.2f}",
            flush=True,
        )


def temporal_cost(
    net: torch.nn.Module, mean, blob: str, controls: list[Control], settings: DreamSettings, count: int, width: int
) -> None:
    """Seconds per frame of each control over the same ``count`` frames, best of 2 interleaved rounds (a busy
    spell of the shared machine hits them all alike), ÷ the first control's."""
    images = clip_frames("nature_1sm480.mkv", count, width)
    controls = [c for c in controls if c.flow is not NO_FLOW]  # flow's cost is the question: before vs now
    seconds: dict[str, list[float]] = {c.label: [] for c in controls}
    for _ in range(2):
        for control in controls:
            began = time.perf_counter()
            sequence(images, net_dreamer(net, mean, settings, control), blob, control.flow)
            seconds[control.label].append((time.perf_counter() - began) / count)
    first = min(seconds[controls[0].label])
    print(
        f"\nseconds per frame, {count} frames of nature_1sm480.mkv at {images[0].shape[1]}x{images[0].shape[0]}"
    )
    for label, values in seconds.items():
        print(f"{label:<40} {min(values):>6.2f} s   ÷ {controls[0].label} {min(values) / first:.2f}")


# --- the temporal controls (issue 17): a pull inside every step, the jitter seed, refined carried frames ---


@dataclass(frozen=True)
class Control:
    """One way of dreaming a clip: the blend alone, or ``--flow dis`` with a temporal weight and refined carried
    frames (``Flow.temporal``, ``Flow.refine``) and a jitter seed mode."""

    label: str
    flow: Flow = NO_FLOW
    jitter_seed: str = "frame"


def temporal_controls(weights: Sequence[float], refine: int) -> list[Control]:
    """The blend, flow as before, each control alone, then combined (every weight with the fixed seed)."""
    strongest = replace(DIS, temporal=max(weights))
    controls = [
        Control("blend"),
        Control("flow (before)", DIS),
        Control("flow, fixed seed", DIS, "fixed"),
        Control(f"flow, temporal {strongest.temporal:g}", strongest),
        Control(f"flow, refined {refine}", replace(DIS, refine=refine)),
    ]
    controls += [Control(f"flow, temporal {w:g}, fixed", replace(DIS, temporal=w), "fixed") for w in weights]
    both = replace(strongest, refine=refine)
    controls.append(Control(f"flow, temporal {strongest.temporal:g}, fixed, refined {refine}", both, "fixed"))
    return controls


def net_dreamer(
    net: torch.nn.Module, mean: tuple[float, float, float], settings: DreamSettings, control: Control
) -> Dreamer:
    """The CLI's dreamer for ``control``: frame seeds by its mode, the pull handed on."""

    def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], pulls=None) -> np.ndarray:
        seeds = frame_seeds(0, numbers, control.jitter_seed)
        return dream_batch(frames, net, layers, replace(settings, mean=mean), CPU, seed=seeds, pulls=pulls)

    return dreamer


def dream_energy(
    net: torch.nn.Module, mean: tuple[float, float, float], blob: str, frames: list[np.ndarray]
) -> float:
    """Mean over frames of the dreamed blob's objective (½‖blob‖², per unit): what the dream raises, which an
    unaligned ghost of the previous frame does not (unlike |out − source|)."""
    on = mean_tensor(mean, torch.device("cpu"))
    values = []
    with torch.no_grad():
        for start in range(0, len(frames), 4):
            blobs = net(to_net(np.stack(frames[start : start + 4]), on), outputs=[blob])[blob].float()
            values.extend((0.5 * blobs.square()).mean(dim=(1, 2, 3)).tolist())
    return float(np.mean(values))


def judge_motions(images: list[np.ndarray], known: bool) -> list[Motion]:
    """The motion E_warp is judged with, once, on the source frames: the known pan, or DIS medium (not the fast
    preset ``--flow dis`` uses) with its non-occlusion mask made binary, as Lai et al.'s."""
    if known:
        return [Motion(at, reliable.astype(np.float32)) for at, reliable in reference_motions(images, True)]
    motions = [frame_motion(a, b, JUDGE) for a, b in itertools.pairwise(images)]
    return [Motion(m.sample_at, (m.mask > 0.99).astype(np.float32)) for m in motions]


def e_warp(frames: list[np.ndarray], motions: list[Motion]) -> float:
    errors = [warping_error(a, b, m) for (a, b), m in zip(itertools.pairwise(frames), motions, strict=True)]
    return float(np.mean([e for e in errors if e is not None]))


def of_source(error: float, source: float) -> str:
    """error ÷ source, 7 wide; '(0)' for footage that is exactly steady (the generated pan: no ratio)."""
    return f"{error / source:>7.2f}" if source > 1e-6 else f"{'(0)':>7}"


def sequence(images: list[np.ndarray], dreamer: Dreamer, blob: str, flow: Flow) -> list[np.ndarray]:
    frames = [Frame(n, image) for n, image in enumerate(images, start=1)]
    items = dream_loop.dream_sequence(
        frames, dreamer, [blob], FrameOptions(BLEND, flow), finished=lambda n: None, stop=threading.Event(),
        progress=NO_PROGRESS, total=len(frames),
    )  # fmt: skip
    return [item.frame.image for item in items]


def temporal_table(
    nets: dict[str, tuple[torch.nn.Module, tuple[float, float, float], str]],
    clips: dict[str, tuple[list[np.ndarray], bool]],
    controls: list[Control],
    settings: DreamSettings,
) -> None:
    """E_warp ÷ source and ÷ blend, strength ÷ a still dream of the same frames, seconds per frame ÷ flow before."""
    print(
        f"{'net':<10} {'clip':<14} {'control':<30} {'E_warp':>8} {'÷source':>7} {'÷blend':>6} "
        f"{'strength÷still':>14} {'s/frame÷before':>14}"
    )
    for net_name, (net, mean, blob) in nets.items():
        for clip_name, (images, known) in clips.items():
            motions = judge_motions(images, known)
            source = e_warp(images, motions)
            began = time.perf_counter()
            still = [
                net_dreamer(net, mean, settings, Control("still"))(image[None], [blob], [n])[0]
                for n, image in enumerate(images, start=1)
            ]
            raised = dream_energy(net, mean, blob, images)  # the source frames' own: what no dream raised
            still_strength = dream_energy(net, mean, blob, still) - raised
            print(
                f"{net_name:<10} {clip_name:<14} {'source footage':<30} {source:>8.1f} {1:>7.2f} {'':>6} {'':>14} {'':>14}"
            )
            print(
                f"{net_name:<10} {clip_name:<14} {'still dreams (no carry)':<30} {e_warp(still, motions):>8.1f} "
                f"{of_source(e_warp(still, motions), source)} {'':>6} {1:>14.2f} "
                f"   ({(time.perf_counter() - began) / len(images):.2f} s/frame)",
                flush=True,
            )
            blend = before = None
            for control in controls:
                began = time.perf_counter()
                frames = sequence(images, net_dreamer(net, mean, settings, control), blob, control.flow)
                seconds = (time.perf_counter() - began) / len(images)
                error = e_warp(frames, motions)
                blend = blend or error
                before = before or (seconds if control.label == "flow (before)" else None)
                speed = f"{seconds / before:>14.2f}" if before else f"{'':>14}"
                print(
                    f"{net_name:<10} {clip_name:<14} {control.label:<30} {error:>8.1f} {of_source(error, source)} "
                    f"{error / blend:>6.2f} {(dream_energy(net, mean, blob, frames) - raised) / still_strength:>14.2f} {speed}"
                    f"   ({seconds:.2f} s/frame)",
                    flush=True,
                )


def temporal_drift(
    net: torch.nn.Module, mean, blob: str, controls: list[Control], settings: DreamSettings, count: int, width: int
) -> None:
    images = clip_frames("nature_1sm480.mkv", count, width)
    motions = judge_motions(images, False)
    source = e_warp(images, motions)
    print(
        f"\ndrift over {len(images)} frames of nature_1sm480.mkv at {images[0].shape[1]}x{images[0].shape[0]}"
    )
    print(f"{'control':<30} {'out − source, slope /100 frames':>32} {'at the end':>11} {'E_warp÷source':>14}")
    for control in controls:
        frames = sequence(images, net_dreamer(net, mean, settings, control), blob, control.flow)
        slope, last = drift_slope(frames, images)
        print(
            f"{control.label:<30} {slope:>+32.3f} {last:>+11.2f} {e_warp(frames, motions) / source:>14.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24, help="frames per clip for the temporal error")
    parser.add_argument("--width", type=int, default=160, help="width the clips are dreamed at")
    parser.add_argument("--drift-frames", type=int, default=150)
    parser.add_argument("--pipeline-frames", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1, help="torch threads of the dreamer")
    parser.add_argument("--no-googlenet", action="store_true")
    parser.add_argument(
        "--part",
        choices=(
            "all",
            "quality",
            "drift",
            "strip",
            "cost",
            "temporal",
            "temporal-drift",
            "temporal-cost",
            "sharpness",
        ),
        default="all",
    )
    parser.add_argument(
        "--weights", default="0.1,0.3", help="temporal weights the controls try (--part temporal)"
    )
    parser.add_argument(
        "--controls", default="", help="only the controls whose label contains one of these, ';'"
    )
    parser.add_argument("--clips", default="nature,lions,pan", help="clips of --part temporal")
    parser.add_argument(
        "--no-baselines", action="store_true", help="with --controls: not the blend and flow before"
    )
    parser.add_argument("--nets", default="open_nsfw,googlenet", help="nets of --part temporal")
    parser.add_argument("--octaves", type=int, default=2)
    parser.add_argument(
        "--refine", type=int, default=1, help="octaves of a carried frame in the refined controls"
    )
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--jitter", type=int, default=16)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.part in ("temporal", "temporal-drift", "temporal-cost", "sharpness"):
        temporal_main(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        nets = dreamers(Path(tmp), not args.no_googlenet and args.part in ("all", "quality"))
        dreamer, blob = nets["open_nsfw"]
        if args.part in ("all", "quality"):
            clips = {
                "nature_1sm480.mkv": (clip_frames("nature_1sm480.mkv", args.frames, args.width), False),
                "lions_small_b75.mkv": (clip_frames("lions_small_b75.mkv", args.frames, args.width), False),
                f"pan {PAN[0]},{PAN[1]} px/frame": (pan_frames(args.frames, args.width), True),
            }
            print(
                f"blend 0.5, {args.frames} frames per clip at {args.width} px wide, 2 octaves x 3 iterations"
            )
            print(
                f"open_nsfw blob {blob}; temporal error judged with DIS medium (the pan: its known motion)\n"
            )
            quality_table(nets, clips)
        if args.part in ("all", "drift"):
            drift_table(dreamer, blob, args.drift_frames)
        if args.part in ("all", "strip"):
            strip = DreamSettings(octaves=2, iterations=3, jitter=args.jitter)
            save_strip(REPO / "docs/flow_before_after.png", strip)
        if args.part in ("all", "cost"):
            cost_table(dreamer, blob, Path(tmp), args.pipeline_frames)


def temporal_main(args: argparse.Namespace) -> None:
    settings = DreamSettings(octaves=args.octaves, iterations=args.iterations, jitter=args.jitter)
    weights = [float(w) for w in args.weights.split(",") if w]
    controls = temporal_controls(weights, args.refine)
    if args.controls:
        wanted = args.controls.split(";")
        baselines = () if args.no_baselines else ("blend", "flow (before)")
        controls = [c for c in controls if c.label in baselines or c.label in wanted]
    nsfw = SHARED / "models/open_nsfw"
    with tempfile.TemporaryDirectory() as tmp:
        nets: dict[str, tuple[torch.nn.Module, tuple[float, float, float], str]] = {}
        if "open_nsfw" in args.nets:
            net = load_caffe(nsfw / "deploy.prototxt", nsfw / "resnet_50_1by2_nsfw.caffemodel")
            nets["open_nsfw"] = (net, (104.0, 117.0, 123.0), "eltwise_stage2_block2")
        if "googlenet" in args.nets:
            prototxt = SHARED / "models/bvlc_googlenet/deploy.prototxt"
            gnet = load_caffe(prototxt, write_random_caffemodel(prototxt, Path(tmp) / "g.caffemodel", seed=0))
            nets["googlenet"] = (gnet, (104.0, 117.0, 123.0), "inception_4c/output")
        print(
            f"blend 0.5, {args.octaves} octaves x {args.iterations} iterations, jitter {args.jitter}, "
            f"{args.width} px wide; E_warp judged on the source frames (DIS medium; the pan: its known motion)\n"
        )
        if args.part == "sharpness":
            net, mean, blob = next(iter(nets.values()))
            sharpness_table(net, mean, blob, settings, args.frames, args.width)
            return
        if args.part in ("temporal-drift", "temporal-cost"):
            net, mean, blob = next(iter(nets.values()))
            part = temporal_drift if args.part == "temporal-drift" else temporal_cost
            count = args.drift_frames if args.part == "temporal-drift" else args.frames
            part(net, mean, blob, controls, settings, count, args.width)
            return
        every = {
            "nature": (
                "nature_1sm480",
                lambda: (clip_frames("nature_1sm480.mkv", args.frames, args.width), False),
            ),
            "lions": (
                "lions_small_b75",
                lambda: (clip_frames("lions_small_b75.mkv", args.frames, args.width), False),
            ),
            "pan": (f"pan {PAN[0]},{PAN[1]} px", lambda: (pan_frames(args.frames, args.width), True)),
        }
        clips = {every[c][0]: every[c][1]() for c in args.clips.split(",")}
        temporal_table(nets, clips, controls, settings)


if __name__ == "__main__":
    main()
