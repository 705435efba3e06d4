"""Where the content node's files live: a small directory interface, on disk or in RAM.

Every persistent structure (transaction log, document store snapshots) writes through
`Directory`, so tests run on `RamDirectory` (which can also simulate a crash that loses
unsynced bytes, and inject I/O faults) and production on `FileDirectory`.
"""

from __future__ import annotations

from content.storage.directory import AppendFile, Directory
from content.storage.files import FileDirectory
from content.storage.ram import RamDirectory

__all__ = ["AppendFile", "Directory", "FileDirectory", "RamDirectory"]
