"""A container app wired to fake content nodes, driven through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from container.dispatch import ContentClient
from container.http import ContainerRuntime, create_app
from tests.unit.container.fake_content import FakeContentNode, FakeNetwork
from vespid.config import (
    ContainerConfig,
    ContentClusterConfig,
    ContentNodeConfig,
    DocumentTypeRef,
    FieldConfig,
    SchemaConfig,
)

T = TypeVar("T")

MUSIC = SchemaConfig(
    "music",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("year", "int", attribute=True, summary=True),
        FieldConfig("score", "double", attribute=True, summary=True),
        FieldConfig("embedding", "tensor<float>(x[2])", attribute=True, summary=True),
    ),
)


def config(redundancy: int = 1, generation: int = 3) -> ContainerConfig:
    """One content cluster of two nodes on ports 19100 and 19101 holding `music`."""
    nodes = tuple(ContentNodeConfig(k, "localhost", 19100 + k) for k in (0, 1))
    cluster = ContentClusterConfig(
        "music_content",
        redundancy=redundancy,
        document_types=(DocumentTypeRef("music"),),
        nodes=nodes,
    )
    return ContainerConfig(generation, content_clusters=(cluster,), schemas=(MUSIC,))


class Harness:
    """Two fake nodes (by distribution key), the network and a configured container."""

    def __init__(self, with_config: ContainerConfig | None = None) -> None:
        self.nodes = {k: FakeContentNode(k) for k in (0, 1)}
        self.network = FakeNetwork({19100 + k: n for k, n in self.nodes.items()})
        self.runtime = ContainerRuntime(ContentClient(transport=self.network))
        self.app = create_app(self.runtime)
        self.initial = with_config

    def run(self, body: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        """Run ``body`` with a client of the app, after applying the initial config."""

        async def main() -> T:
            if self.initial is not None:
                await self.runtime.apply(self.initial)
            transport = httpx.ASGITransport(self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://c") as client:
                try:
                    return await body(client)
                finally:
                    await self.runtime.aclose()

        return asyncio.run(main())

    def add(self, key: int, doc_id: str, **fields: object) -> None:
        """Store a document directly on node ``key``."""
        self.nodes[key].documents[doc_id] = dict(fields)
