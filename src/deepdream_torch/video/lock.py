"""One run per output: a lock file beside each output, naming the run that holds it.

``with output_lock(frames_dir, partial_video):`` is what modes 0, 2 and 3 (and the Ray driver) wrap a run in.
The lock is ``.<name>.lock`` beside the output (``data/output_frames/.clip.lock`` for the frames folder
``data/output_frames/clip``), holding the pid, host, start time and command line of its run, and an ``flock``
on it: the kernel drops that when the process dies, however it dies, so a lock left by a dead run (``kill -9``,
a power cut) is taken over, and said in one line naming that run (its work may be half done: the user should
know). A second run on the same output is refused with one line naming the first.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shlex
import socket
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from deepdream_torch.video.errors import VideoError

_COMMAND_CHARS = 200
_ATTEMPTS = 20  # a lock file unlinked by its holder just as we opened it: open it again


class StaleLockTakenOver(UserWarning):
    """A lock left by a run that is gone was taken over (what ``output_lock`` says when given no ``log``)."""


class OutputLocked(VideoError):
    """Another run is writing the same output; ``holder`` says which."""

    def __init__(self, message: str, holder: Holder | None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    """The run that holds a lock."""

    pid: int
    host: str
    started: str
    command: str

    @classmethod
    def this_process(cls) -> Holder:
        command = " ".join(shlex.quote(arg) for arg in [Path(sys.argv[0]).name, *sys.argv[1:]])
        if len(command) > _COMMAND_CHARS:
            command = command[: _COMMAND_CHARS - 3] + "..."
        return cls(os.getpid(), socket.gethostname(), datetime.now().isoformat(" ", "seconds"), command)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started}: {self.command}"


def lock_path(output: Path) -> Path:
    """The lock file of ``output`` (a folder or a file, present or not): ``.<name>.lock`` beside it. Symlinks are
    resolved first, so two spellings of one output share one lock."""
    resolved = Path(output).resolve()
    return resolved.with_name(f".{resolved.name}.lock")


def read_holder(lock: Path) -> Holder | None:
    """The run recorded in lock file ``lock``, or None when it is absent, empty or not ours."""
    try:
        data = json.loads(Path(lock).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]), str(data["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def held_by_other_run(output: Path) -> Holder | None:
    """The run of another process holding ``output``'s lock now, or None: for readers (mode 3) that must not
    take a folder another run is still writing. Creates nothing."""
    lock = lock_path(output)
    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except BlockingIOError:
        holder = read_holder(lock) or Holder(0, "this or another host", "just now", "a run still starting")
        return None if holder.pid == os.getpid() else holder
    except OSError:
        return None  # no flock on this filesystem: nothing to learn
    finally:
        os.close(descriptor)  # also drops the shared lock, if taken


@contextmanager
def output_lock(*outputs: Path, log: Callable[[str], None] | None = None) -> Iterator[Holder]:
    """Hold the lock of every one of ``outputs`` for the block (in the order given); raises OutputLocked, naming
    the other run, when one of them is held. Yields this run's ``Holder``. The lock files go when the block ends.

    A lock left by a run that is gone is taken over and said in one line to ``log`` (a run's ``progress.log`` at
    level 1, where its other notes go), or as a ``StaleLockTakenOver`` warning without one."""
    holder = Holder.this_process()
    with ExitStack() as held:
        for output in outputs:
            held.enter_context(_lock_one(Path(output), holder, log))
        yield holder


@contextmanager
def _lock_one(output: Path, holder: Holder, log: Callable[[str], None] | None) -> Iterator[None]:
    lock = lock_path(output)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        descriptor, stale = _acquire(lock, output, holder)
    except OSError as error:
        # Left to the CLI, which says what the errno means for this path (a file in the way, read-only, full).
        if error.filename is None:
            error.filename = str(lock)
        raise
    if stale is not None:
        message = _takeover(output, stale)
        if log is None:
            warnings.warn(message, StaleLockTakenOver, stacklevel=4)
        else:
            log(message)
    try:
        yield
    finally:
        try:
            lock.unlink(missing_ok=True)  # while still held, so no other run can be holding this file
        finally:
            os.close(descriptor)


def _acquire(lock: Path, output: Path, holder: Holder) -> tuple[int, Holder | str | None]:
    """The locked descriptor of ``lock``, and what it held before: the ``Holder`` of a run that is gone (its
    lock left behind), a description when that record is unreadable, None for a lock free to take."""
    for _ in range(_ATTEMPTS):
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if not _flock(descriptor, lock):
                raise OutputLocked(_refusal(output, read_holder(lock)), read_holder(lock))
            try:
                same = os.stat(lock).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                same = False
            if same:
                # A live run unlinks its lock file before it lets go of it, so a file still holding a record
                # once we have the lock was left by a run that died (kill -9, a crash, a power cut).
                left = os.pread(descriptor, 4 * _COMMAND_CHARS + 1024, 0)
                stale = (read_holder(lock) or "its record is unreadable") if left.strip() else None
                os.ftruncate(descriptor, 0)
                os.write(descriptor, json.dumps(asdict(holder)).encode())
                return descriptor, stale
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # the holder removed it as we opened it: lock the new one
    raise OutputLocked(f"{output} is being locked and unlocked by other runs: try again", None)


def _flock(descriptor: int, lock: Path) -> bool:
    """Whether this process got the lock. Where the filesystem has no flock, the recorded holder decides: a live
    process on this host, or any process on another host, keeps it."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise
    other = read_holder(lock)
    return other is None or (other.host == socket.gethostname() and not _alive(other.pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _takeover(output: Path, stale: Holder | str) -> str:
    """The one line that says a dead run's lock on ``output`` was taken over, naming that run."""
    who = stale.describe() if isinstance(stale, Holder) else stale
    return f"taking over the lock of {output}: the run that held it is gone ({who})"


def _refusal(output: Path, holder: Holder | None) -> str:
    who = f"another run ({holder.describe()})" if holder else "another run"
    return (
        f"{output} is in use by {who}: wait for it to finish or stop it, or choose another output folder (-o)"
    )
