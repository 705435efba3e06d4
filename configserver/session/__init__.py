"""Sessions: the create → prepare → activate state machine over a small store interface."""

from __future__ import annotations

from configserver.session.changes import change_actions
from configserver.session.manager import (
    DerivedApplication,
    DeriveFunction,
    LogEntry,
    PrepareResult,
    SessionManager,
)
from configserver.session.memory import MemorySessionStore
from configserver.session.ports import FreePortAllocator
from configserver.session.store import ActivePointer, SessionRecord, SessionStatus, SessionStore

__all__ = [
    "ActivePointer",
    "DeriveFunction",
    "DerivedApplication",
    "FreePortAllocator",
    "LogEntry",
    "MemorySessionStore",
    "PrepareResult",
    "SessionManager",
    "SessionRecord",
    "SessionStatus",
    "SessionStore",
    "change_actions",
]
