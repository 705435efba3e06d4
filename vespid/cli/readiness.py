"""Waiting for something to become ready while watching the processes it depends on.

`vespid up` waits for the config server's health, then for convergence and the
container; if a process it started dies meanwhile, waiting stops at once and the
error carries the end of that process's log, so the user sees why.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from vespid.cli.errors import CliError
from vespid.cli.processes import log_tail

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Watched:
    """A child process that must stay alive while we wait."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path


def tail_block(name: str, path: Path) -> str:
    """The end of ``name``'s log at ``path``, introduced, for an error message."""
    tail = log_tail(path)
    if not tail:
        return f"({name} wrote nothing to {path})"
    return f"Last lines of {path}:\n{tail}"


def wait_until(
    check: Callable[[], T | None],
    what: str,
    timeout: float,
    watched: Sequence[Watched] = (),
    logs_on_timeout: Callable[[], Sequence[tuple[str, Path]]] = tuple,
    failed: Callable[[], str | None] = lambda: None,
    *,
    interval: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``check`` until it returns something other than None, and return that.

    Raises:
        CliError: when a watched process exits (with its log tail), when ``failed()``
            says why waiting is hopeless, or after ``timeout`` seconds (with the tails of
            ``logs_on_timeout()``, pairs of name and log path).
    """
    deadline = clock() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        for w in watched:
            code = w.process.poll()
            if code is not None:
                raise CliError(
                    f"{w.name} exited with status {code} while waiting for {what}.\n"
                    + tail_block(w.name, w.log_path)
                )
        problem = failed()
        if problem is not None:
            raise CliError(f"{problem}\nGave up waiting for {what}.")
        if clock() >= deadline:
            blocks = [tail_block(name, path) for name, path in logs_on_timeout()]
            raise CliError(
                "\n".join([f"Timed out after {timeout:g} s waiting for {what}.", *blocks])
            )
        sleep(interval)
