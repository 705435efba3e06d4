"""Background processes of a Vespid home: start them detached, record them, find and stop them.

A home directory (``~/.vespid`` by default) holds everything one local Vespid owns::

    HOME/run/<name>.pid    "<pid> <start-time>" of each running process
    HOME/run/services.json how each service fares, written by the node agent
    HOME/logs/<name>.log   its standard output and error
    HOME/data/<service>/   content node data (written by the services)

The start time (field 22 of ``/proc/<pid>/stat``) guards against a recycled pid: a
record only matches the process that wrote it. ``vespid up`` starts each process in
its own session, so it leads a process group, and :func:`stop_recorded` can sweep up
any children it leaves behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Home:
    """The directory layout of one local Vespid."""

    root: Path

    @property
    def run_dir(self) -> Path:
        """Where PID files live."""
        return self.root / "run"

    @property
    def logs_dir(self) -> Path:
        """Where log files live."""
        return self.root / "logs"

    @property
    def data_dir(self) -> Path:
        """Where content nodes keep their data, one directory per service."""
        return self.root / "data"

    @property
    def services_status_file(self) -> Path:
        """Where the node agent records how each service fares (``vespid up`` reads it)."""
        return self.run_dir / "services.json"

    def pid_file(self, name: str) -> Path:
        """The PID file of process ``name``."""
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        """The log file of process ``name``."""
        return self.logs_dir / f"{name}.log"

    def make_dirs(self) -> None:
        """Create the run, logs and data directories."""
        for directory in (self.run_dir, self.logs_dir, self.data_dir):
            directory.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True, slots=True)
class PidRecord:
    """A process as a PID file records it."""

    pid: int
    start_time: str
    """The kernel's start time of the process; empty where /proc is not available."""


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of ``/proc/<pid>/stat`` (after the command name), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def start_time_of(pid: int) -> str:
    """Return the kernel start time of ``pid``, or '' when it cannot be read."""
    fields = _proc_stat(pid)
    return fields[19] if fields else ""


def record_of(pid: int) -> PidRecord:
    """Return the record that identifies the running process ``pid``."""
    return PidRecord(pid, start_time_of(pid))


def write_pid_file(path: Path, record: PidRecord) -> None:
    """Write ``record`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{record.pid} {record.start_time}\n")
    tmp.replace(path)


def read_pid_file(path: Path) -> PidRecord | None:
    """Return the record in ``path``, or None when it is missing or unreadable."""
    try:
        parts = path.read_text().split()
    except OSError:
        return None
    if not parts or not parts[0].isdigit():
        return None
    return PidRecord(int(parts[0]), parts[1] if len(parts) > 1 else "")


def is_running(record: PidRecord) -> bool:
    """True when the recorded process still runs (zombies and recycled pids do not count)."""
    fields = _proc_stat(record.pid)
    if fields is None:
        try:
            os.kill(record.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not record.start_time
    if fields[0] in ("Z", "X"):
        return False
    return not record.start_time or fields[19] == record.start_time


def start_detached(
    argv: Sequence[str],
    log_path: Path,
    pid_path: Path,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session, output appended to ``log_path``; record it in ``pid_path``.

    The process survives the caller: it has no terminal, its own process group, and
    standard input from /dev/null.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(env) if env is not None else None,
        )
    write_pid_file(pid_path, record_of(process.pid))
    return process


def wait_until_gone(
    record: PidRecord,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Wait up to ``timeout`` seconds for the process to end; True when it has."""
    deadline = clock() + timeout
    while is_running(record):
        if clock() >= deadline:
            return False
        sleep(0.05)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    # The group may have emptied since we looked; that is what we want anyway.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def stop_recorded(pid_file: Path, timeout: float = 10.0) -> bool:
    """Stop the process recorded in ``pid_file`` and what is left of its process group.

    Sends SIGTERM and waits up to ``timeout`` seconds, then SIGKILLs the whole group.
    Children left behind by a leader that already died (a config server that crashed
    leaves its ZooKeeper) are swept up too. Removes the PID file. Returns True when a
    running process was found.
    """
    record = read_pid_file(pid_file)
    if record is None:
        return False
    found = is_running(record)
    if found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGTERM)
        if not wait_until_gone(record, timeout):
            _signal_group(record.pid, signal.SIGKILL)
            wait_until_gone(record, 2.0)
    found = _sweep_group(record.pid) or found
    pid_file.unlink(missing_ok=True)
    return found


def _sweep_group(pgid: int) -> bool:
    """Terminate, then kill, processes left in the group the leader led; True if any were."""
    if not _group_alive(pgid):
        return False
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 3.0
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(pgid, signal.SIGKILL)
    return True


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of the log at ``path`` ('' when there is none)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
