"""Vespid's shared package: the contract between the config server, containers and content nodes.

Everything here is plain data, codecs and algorithms that more than one process needs:
typed config definitions (`vespid.config`), the document model and Vespa's document JSON
(`vespid.document`), bucket ids and the ideal-state distribution, the container/content
messages (`vespid.messages`), shared error codes and the ranking-expression language
(`vespid.expression`). `vespid.runtime` and `vespid.cli` hold what every process needs at
run time (config subscription, health, logging) and the `vespid` command.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
