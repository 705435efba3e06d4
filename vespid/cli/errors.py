"""The one error the ``vespid`` command reports to its user: a sentence, then exit status 1."""

from __future__ import annotations


class CliError(Exception):
    """Something the user must know about; ``main`` prints it as ``Error: <message>``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
