"""What every validator sees: the parsed package, resolved schemas and a message sink.

Validators are small functions taking a :class:`ValidationContext`; each checks one
rule and reports every violation with :meth:`ValidationContext.report`. After all have
run, the caller raises one :class:`InvalidApplicationPackageError` (Vespa
`Validation.java`: collect, then fail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from configserver.apppackage.hosts import host_for
from configserver.apppackage.package import ApplicationPackage
from configserver.schema.resolve import ResolvedSchema


@dataclass(slots=True)
class ValidationContext:
    """The package under validation and the messages reported so far."""

    package: ApplicationPackage
    schemas: list[ResolvedSchema]
    messages: list[str] = field(default_factory=list)

    def report(self, message: str) -> None:
        """Record one problem, already formatted as `path:line:col: text`."""
        self.messages.append(message)

    def host_of(self, alias: str) -> str:
        """Return the host name for ``alias`` (localhost without hosts.xml or alias)."""
        return host_for(self.package.hosts, alias)


Validator = Callable[[ValidationContext], None]
