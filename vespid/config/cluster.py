"""Derived cluster topology: which content and container nodes exist, on which host and port."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ContentNodeConfig:
    """One content node of a content cluster."""

    distribution_key: int
    host: str
    port: int
    """The node's internal HTTP port (allocated by the config server, 19100 and up)."""
    capacity: float = 1.0


@dataclass(frozen=True, slots=True)
class DocumentTypeRef:
    """A document type a content cluster stores (`<document type=... mode=...>`)."""

    name: str
    mode: str = "index"
    """`index`, `streaming` or `store-only`."""
    global_: bool = False


@dataclass(frozen=True, slots=True)
class ContentClusterConfig:
    """A content cluster: its nodes, redundancy and document types."""

    name: str
    redundancy: int = 1
    searchable_copies: int = 1
    document_types: tuple[DocumentTypeRef, ...] = ()
    nodes: tuple[ContentNodeConfig, ...] = ()
    distribution_bits: int = 16
    """Vespa's default for a content cluster: 16 distribution bits."""


@dataclass(frozen=True, slots=True)
class ContainerNodeConfig:
    """One container node."""

    host: str
    port: int


@dataclass(frozen=True, slots=True)
class ContainerClusterConfig:
    """A container cluster and which APIs it serves."""

    name: str
    nodes: tuple[ContainerNodeConfig, ...] = ()
    search: bool = True
    document_api: bool = True
