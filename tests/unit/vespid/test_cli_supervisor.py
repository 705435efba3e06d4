"""Restart policy and supervision of one process (a throwaway ``sleep`` child)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from vespid.cli.processes import is_running, read_pid_file
from vespid.cli.supervisor import Backoff, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_backoff_doubles_up_to_the_maximum_and_resets_after_a_healthy_run() -> None:
    backoff = Backoff(initial=0.5, maximum=3.0, factor=2.0, reset_after=10.0)
    assert [backoff.delay_after(1.0) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff.delay_after(10.0) == 0.5
    assert backoff.delay_after(0.0) == 1.0


@pytest.mark.parametrize(
    "kwargs", [{"initial": 0.0}, {"initial": 2.0, "maximum": 1.0}, {"factor": 0.5}]
)
def test_backoff_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Backoff needs"):
        Backoff(**kwargs)


async def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    assert callable(predicate)
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)


def test_a_killed_process_is_restarted_and_stop_ends_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "run" / "svc.pid"
    log_file = tmp_path / "logs" / "svc.log"

    async def scenario() -> None:
        supervisor = Supervisor(
            "svc", SLEEPER, log_file, pid_file, backoff=Backoff(initial=0.01, maximum=0.01)
        )
        supervisor.start()
        await _wait_for(lambda: supervisor.pid is not None)
        first = supervisor.pid
        assert first is not None
        record = read_pid_file(pid_file)
        assert record is not None
        assert record.pid == first
        assert is_running(record)

        os.kill(first, signal.SIGKILL)
        await _wait_for(lambda: supervisor.pid not in (None, first))
        assert supervisor.starts == 2
        assert supervisor.last_exit == -signal.SIGKILL

        second = read_pid_file(pid_file)
        await supervisor.stop()
        assert supervisor.pid is None
        assert not pid_file.exists()
        assert second is not None
        assert not is_running(second)

    asyncio.run(scenario())
    assert log_file.exists()


def test_a_process_that_keeps_failing_is_retried_with_backoff(tmp_path: Path) -> None:
    failing = [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]
    log_file = tmp_path / "fail.log"

    async def scenario() -> Supervisor:
        supervisor = Supervisor(
            "fail", failing, log_file, tmp_path / "fail.pid", backoff=Backoff(initial=0.01)
        )
        supervisor.start()
        await _wait_for(lambda: log_file.exists() and log_file.read_text().count("boom") >= 3)
        await supervisor.stop()
        return supervisor

    supervisor = asyncio.run(scenario())
    assert log_file.read_text().count("boom") >= 3
    assert supervisor.pid is None
    assert supervisor.last_exit == 3
    assert supervisor.quick_exits >= 2


def test_an_unstartable_command_does_not_crash_the_supervisor(tmp_path: Path) -> None:
    async def scenario() -> int:
        supervisor = Supervisor(
            "missing",
            [str(tmp_path / "no-such-program")],
            tmp_path / "m.log",
            tmp_path / "m.pid",
            backoff=Backoff(initial=0.01),
        )
        supervisor.start()
        await asyncio.sleep(0.1)
        await supervisor.stop()
        return supervisor.starts

    assert asyncio.run(scenario()) == 0


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)",
    ]
    log_file = tmp_path / "s.log"

    async def scenario() -> None:
        supervisor = Supervisor(
            "stubborn", stubborn, log_file, tmp_path / "s.pid", stop_timeout=0.3
        )
        supervisor.start()
        await _wait_for(lambda: log_file.exists() and "ready" in log_file.read_text())
        await supervisor.stop()
        assert supervisor.pid is None

    asyncio.run(scenario())


def test_quick_exits_are_forgotten_once_a_run_stays_up(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    script = (
        "import pathlib, sys, time;"
        f"p = pathlib.Path({str(counter)!r});"
        "n = int(p.read_text()) if p.exists() else 0;"
        "p.write_text(str(n + 1));"
        "sys.exit(1) if n < 2 else time.sleep(60)"
    )
    changes: list[int] = []

    async def scenario() -> Supervisor:
        supervisor = Supervisor(
            "flaky",
            [sys.executable, "-c", script],
            tmp_path / "f.log",
            tmp_path / "f.pid",
            backoff=Backoff(initial=0.01, reset_after=1.0),
            on_change=lambda s: changes.append(s.quick_exits),
        )
        supervisor.start()
        await _wait_for(lambda: supervisor.starts == 3)
        assert supervisor.quick_exits == 2
        await _wait_for(lambda: supervisor.quick_exits == 0)
        assert supervisor.starts == 3
        await supervisor.stop()
        return supervisor

    supervisor = asyncio.run(scenario())
    assert supervisor.last_exit == 1
    assert changes[-1] == 0
    assert max(changes) == 2
