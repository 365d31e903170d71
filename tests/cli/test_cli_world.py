"""Failures of the world, one class per test: a file where a folder belongs, a read-only folder, a full disk, a
symlink loop, a name too long, a closed stdout, a malformed mirror address, a prototxt nested too deep. Each ends
in one line that names the path and what to do, exit code 2 for the user's path and 1 for the machine, never a
traceback; work already saved stays and the same command then resumes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from typer.testing import Result

from deepdream_torch.dreaming.precision import choose
from tests.cli.cli_helpers import run, write_model, write_picture
from tests.faults import file_size_limit, read_only, tiny_disk

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "-oct", "1", "-itr", "1", "-v", "1"]
CLIP = "data/videos/my_video.mp4"
PICTURE = "data/p.jpg"
LONG = "n" * 300  # longer than any file system's 255-byte name limit


@pytest.fixture
def inputs(workdir: Path, clip: Path) -> Path:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    write_picture(workdir / PICTURE)
    (workdir / "afile").write_text("a file where a folder is expected")
    (workdir / "loop").symlink_to("loop")
    return workdir


def one_line(result: Result, code: int, *, dreamed: bool = False) -> str:
    """The single line a failed command printed (stderr and stdout together), checked for the exit code. A run that
    failed after it began dreaming (``dreamed``) has said one line before it, at -v 1 too: the precision auto chose
    (issue 25), and nothing else."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.rstrip("\n").splitlines()
    if dreamed:
        assert lines[0] == choose("auto", torch.device("cpu")).describe(), result.output
        lines = lines[1:]
    assert len(lines) == 1, result.output  # not even a blank line or a stopped progress bar above it
    assert lines[0].startswith("deepdream: error: ")
    return lines[0]


# (what, environment, arguments, exit code, words the line must hold)
WRONG_PATHS = [
    ("-o is a file, single picture", {}, ["-sp", PICTURE, *TINY, "-o", "afile"], 2, ["afile", "a folder"]),
    ("-o is a file, video", {}, ["-e", CLIP, *TINY, "-o", "afile"], 2, ["afile", "a folder"]),
    ("DEEPDREAM_OUTPUT is a file", {"DEEPDREAM_OUTPUT": "afile"}, ["-e", CLIP, *TINY], 2,
     ["afile", "DEEPDREAM_OUTPUT=afile"]),
    ("DEEPDREAM_INPUT is a file", {"DEEPDREAM_INPUT": "afile"}, ["--mode", "1", "-e", CLIP], 2,
     ["afile", "DEEPDREAM_INPUT=afile"]),
    ("DEEPDREAM_HOME is a file", {"DEEPDREAM_HOME": "afile"}, ["-sp", PICTURE, *TINY, "-o", "data/out"], 2,
     ["afile", "DEEPDREAM_HOME=afile"]),
    ("DEEPDREAM_MODELS is a file", {"DEEPDREAM_MODELS": "afile"}, ["-sp", PICTURE, "-l", "conv1"], 2,
     ["afile", "DEEPDREAM_MODELS=afile"]),
    ("-o is a symlink loop", {}, ["-sp", PICTURE, *TINY, "-o", "loop"], 2, ["loop", "symbolic link"]),
    ("DEEPDREAM_HOME is a symlink loop", {"DEEPDREAM_HOME": "loop"}, ["-sp", PICTURE, *TINY, "-o", "data/out"], 2,
     ["loop", "symbolic link"]),
    ("-e is a symlink loop", {}, ["-e", "loop", *TINY], 2, ["loop"]),
    ("-o name too long", {}, ["-sp", PICTURE, *TINY, "-o", f"data/{LONG}"], 2, [LONG, "too long"]),
    ("-sp name too long", {}, ["-sp", f"data/{LONG}.jpg", *TINY], 2, [LONG]),
    ("-e name too long", {}, ["-e", f"data/{LONG}.mp4", *TINY], 2, [LONG]),
    ("mirror with a broken IPv6 host", {"DEEPDREAM_ZOO_MIRROR": "http://[::1"}, ["zoo", "get", "bvlc_googlenet"], 2,
     ["DEEPDREAM_ZOO_MIRROR", "http://[::1"]),
    ("ftp mirror", {"DEEPDREAM_ZOO_MIRROR": "ftp://example.org/zoo"}, ["zoo", "get", "bvlc_googlenet"], 2,
     ["DEEPDREAM_ZOO_MIRROR", "http://"]),
    ("mirror that is not an address", {"DEEPDREAM_ZOO_MIRROR": "garbage"}, ["-sp", PICTURE, "-l", "conv1"], 2,
     ["DEEPDREAM_ZOO_MIRROR", "garbage"]),
    ("mirror with a port that is not a number", {"DEEPDREAM_ZOO_MIRROR": "http://host:port/"},
     ["zoo", "get", "bvlc_googlenet"], 2, ["DEEPDREAM_ZOO_MIRROR", "port"]),
]


@pytest.mark.usefixtures("inputs")
@pytest.mark.parametrize(
    ("environment", "args", "code", "words"), [case[1:] for case in WRONG_PATHS], ids=[case[0] for case in WRONG_PATHS]
)
def test_a_path_or_address_that_cannot_be_used_is_one_line(
    environment: dict[str, str], args: list[str], code: int, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    line = one_line(run(*args), code)
    for word in words:
        assert word in line


@pytest.mark.usefixtures("inputs")
def test_a_prototxt_nested_100000_deep_is_one_line(workdir: Path) -> None:
    folder = workdir / "models/deep"
    folder.mkdir(parents=True)
    (folder / "deploy.prototxt").write_text("layer {" * 100_000 + "}" * 100_000)
    line = one_line(run("layers", "-p", str(folder), "-m", "deep.caffemodel"), 2)
    assert "deploy.prototxt" in line and "nested too deeply" in line


@pytest.mark.usefixtures("inputs")
@pytest.mark.parametrize("where", ["-o of a single picture", "-o of a video"])
def test_a_read_only_folder_is_one_line_and_exit_code_1(where: str, workdir: Path) -> None:
    with read_only(workdir / "ro") as folder:
        if where == "-o of a video":
            args = ["-e", CLIP, *TINY, "-o", str(folder)]
        else:
            args = ["-sp", PICTURE, *TINY, "-o", str(folder / "out")]
        line = one_line(run(*args), 1)
    assert str(folder) in line and "read-only" in line


def _fill(folder: Path) -> Path:
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass  # full
    finally:
        os.close(descriptor)
    return folder


# Where DEEPDREAM_HOME (the conversion cache) cannot be written, and the reason the warning gives.
UNWRITABLE_STORES = {
    "read-only": (lambda folder: read_only(folder), "read-only file system"),
    "full": (lambda folder: tiny_disk(folder, "32k"), "no space left"),
}


@pytest.mark.usefixtures("inputs")
@pytest.mark.parametrize("store", list(UNWRITABLE_STORES))
def test_a_conversion_cache_that_cannot_be_written_is_one_warning_and_the_dream_goes_on(
    store: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place, reason = UNWRITABLE_STORES[store]
    with place(workdir / "store") as folder:
        if store == "full":
            _fill(folder)
        monkeypatch.setenv("DEEPDREAM_HOME", str(folder))
        result = run("-sp", PICTURE, *TINY, "-o", "data/out")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "cannot be cached" in line]
    assert len(warnings) == 1, result.output
    assert warnings[0].startswith("warning: ") and reason in warnings[0] and f"DEEPDREAM_HOME={folder}" in warnings[0]
    assert list((workdir / "data/out").glob("*conv1*.jpg"))  # dreamed all the same


@pytest.mark.usefixtures("inputs")
def test_a_full_disk_keeps_the_saved_frames_and_the_same_command_resumes(workdir: Path) -> None:
    with tiny_disk(workdir / "disk", "24k") as disk:
        args = ["-e", CLIP, *TINY, "-o", str(disk)]
        line = one_line(run(*args), 1, dreamed=True)
        assert "no space left" in line and str(disk / "my_video") in line and "run the same command again" in line
        saved = sorted(p.name for p in (disk / "my_video").glob("dream_frame_*.jpg"))
        assert 1 <= len(saved) < 6
        # Space is freed: the same command continues after the frames already saved.
        subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True)
        resumed = run(*args)
        assert resumed.exit_code == 0, resumed.output
        assert f"resuming after frame {len(saved)}" in resumed.output
        assert len(list((disk / "my_video").glob("dream_frame_*.jpg"))) == 6


def deepdream_process(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | options
    return subprocess.run(
        [sys.executable, "-m", "deepdream_torch.cli", *args], text=True, check=False,
        **streams,  # type: ignore[arg-type]
    )


SAFETENSORS_WRITES = {
    "convert -o": (["convert", "models/tiny/deploy.prototxt", "models/tiny/tiny.caffemodel", "-o", "t.safetensors"],
                   "t.safetensors"),
}


@pytest.mark.usefixtures("inputs")
@pytest.mark.parametrize("what", list(SAFETENSORS_WRITES))
def test_a_safetensors_write_that_fails_is_one_line(what: str) -> None:
    """RLIMIT_FSIZE (no mount needed): the weights file cannot grow past 1000 bytes; safetensors' own error
    becomes the one line, and nothing half-written stays."""
    args, path = SAFETENSORS_WRITES[what]
    done = deepdream_process(*args, preexec_fn=file_size_limit(1000))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert path in line and "largest file allowed" in line
    assert not list(Path().rglob("*.part*"))
    again = run(*args)  # without the limit, the same command works
    assert again.exit_code == 0, again.output


@pytest.mark.usefixtures("inputs")
def test_a_closed_stdout_is_one_line_not_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `deepdream zoo list | head -0`: nobody reads what is written
    try:
        done = deepdream_process("zoo", "list", stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "deepdream: error: the standard output was closed before everything was written: read the whole output"
    ]


@pytest.mark.usefixtures("inputs")
def test_a_stdout_closed_before_the_start_is_not_a_traceback() -> None:
    done = subprocess.run(
        f"{sys.executable} -m deepdream_torch.cli zoo list >&-", shell=True, text=True, capture_output=True,
        check=False,
    )
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr


@pytest.mark.usefixtures("inputs")
def test_deepdream_debug_shows_the_traceback_behind_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPDREAM_DEBUG", "1")
    result = run("-sp", PICTURE, *TINY, "-o", "afile")
    assert result.exit_code == 2
    assert "Traceback" in result.output and "FileExistsError" in result.output


@pytest.mark.usefixtures("inputs")
def test_a_lock_left_by_a_killed_run_is_taken_over_in_one_line_naming_it(workdir: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    pid = int(gone.stdout)
    lock = workdir / "data/output_frames/.my_video.lock"  # what `kill -9` of a run on this clip leaves
    lock.parent.mkdir(parents=True)
    record = {"pid": pid, "host": socket.gethostname(), "started": "2026-01-01 00:00:00", "command": "deepdream -e x"}
    lock.write_text(json.dumps(record))
    result = run("-e", CLIP, *TINY)
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "taking over" in line]
    assert len(said) == 1, result.output
    assert f"pid {pid} on {socket.gethostname()}" in said[0] and "deepdream -e x" in said[0]
    assert "data/output_frames/my_video" in said[0]
    assert not lock.exists()  # released at the end, as any run's
