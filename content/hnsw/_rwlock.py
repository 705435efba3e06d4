"""A readers/writer lock: many searches at once, one writer alone.

hnswlib lets several threads search one index at once, but an insert that grows the
index (``resize_index``) or runs beside a search is not safe, so every change to the
graph holds the lock exclusively and every search holds it shared. Writers take
precedence: once a writer waits, new readers queue behind it, so a steady stream of
queries cannot starve the feed. Not reentrant.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    """Shared (read) / exclusive (write) lock with writer preference."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._condition = threading.Condition(self._mutex)
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0
        self._reading = _Reading(self)

    def reading(self) -> _Reading:
        """Hold the lock shared for the ``with`` block."""
        return self._reading

    def acquire_read(self) -> None:
        """Take the lock shared; pair with :meth:`release_read`."""
        # The mutex directly (a C-level context manager) rather than the condition's
        # Python-level one: a search takes this once per query.
        with self._mutex:
            while self._writing or self._writers_waiting:
                self._condition.wait()
            self._readers += 1

    def release_read(self) -> None:
        """Give back a shared hold."""
        with self._mutex:
            self._readers -= 1
            if self._readers == 0 and self._writers_waiting:
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lock exclusively for the ``with`` block."""
        with self._condition:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._condition.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


class _Reading:
    """The shared hold as a context manager: a plain class, since searches take it
    once per query and ``contextlib.contextmanager`` costs a generator each time."""

    __slots__ = ("_lock",)

    def __init__(self, lock: ReadWriteLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire_read()

    def __exit__(self, *_: object) -> None:
        self._lock.release_read()
