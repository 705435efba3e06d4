"""The content node process settles its long-lived objects after each applied config."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from content.http import NodeService
from content.node import settle_long_lived_objects
from content.node.collector import YOUNG_COLLECTION_THRESHOLD
from content.settings import Settings
from tests.unit.content.test_http import ConfigServer, wait_for
from tests.unit.content.test_node_support import content_config
from vespid.config import ContentConfig
from vespid.runtime import ConfigSubscriber


@pytest.fixture
def restored_collector() -> Iterator[None]:
    """Give the test process its own collector settings back."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_settling_freezes_survivors_and_collects_young_objects_less_often() -> None:
    survivor = [object()]
    settle_long_lived_objects()
    assert gc.get_freeze_count() > 0
    assert all(o is not survivor for o in gc.get_objects())
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD


@pytest.mark.usefixtures("restored_collector")
def test_settling_again_collects_cycles_frozen_before() -> None:
    settle_long_lived_objects()
    cycle: list[object] = []
    cycle.append(cycle)
    settle_long_lived_objects()
    frozen = gc.get_freeze_count()
    del cycle
    settle_long_lived_objects()
    assert gc.get_freeze_count() < frozen


def test_the_node_service_settles_after_every_applied_config(tmp_path: Path) -> None:
    settled: list[int | None] = []

    async def run() -> None:
        server = ConfigServer()
        transport = httpx.MockTransport(server.handle)

        def subscribe(s: Settings) -> ConfigSubscriber[ContentConfig]:
            return ConfigSubscriber(s.config_servers, "content", ContentConfig, transport=transport)

        settings = Settings(19100, "music", 0, tmp_path, ("http://config",))
        service = NodeService(settings, subscribe, settle=lambda: settled.append(generation()))

        def generation() -> int | None:
            return None if service.node is None else service.node.generation

        await service.start()
        try:
            server.publish(content_config())
            await wait_for(service, "up")
            server.publish(content_config(generation=2))
            for _ in range(500):
                if len(settled) == 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            await service.stop()

    asyncio.run(run())
    assert settled == [1, 2]


@pytest.mark.usefixtures("restored_collector")
def test_only_settling_again_pays_for_a_full_collection() -> None:
    gc.unfreeze()
    full_collections = gc.get_stats()[2]["collections"]
    settle_long_lived_objects()
    assert gc.get_stats()[2]["collections"] == full_collections
    settle_long_lived_objects()
    assert gc.get_stats()[2]["collections"] == full_collections + 1
