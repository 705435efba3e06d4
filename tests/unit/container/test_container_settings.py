"""Container process settings and the config follower."""

from __future__ import annotations

import asyncio

import pytest

from container.dispatch import ContentClient
from container.http import ContainerRuntime
from container.http.server import ConfigFollower
from container.settings import Settings, SettingsError, parse_settings
from tests.unit.container.harness import config
from vespid.config import ContainerConfig


def test_flags_win_over_environment_and_servers_split_on_commas() -> None:
    settings = parse_settings(
        ["--port", "8080", "--cluster", "default", "--config-server", "http://a:1, http://b:2"],
        {"VESPID_PORT": "9999", "VESPID_TENANT": "t1"},
    )
    assert settings == Settings(8080, "default", ("http://a:1", "http://b:2"), tenant="t1")


def test_missing_and_malformed_settings_say_which() -> None:
    with pytest.raises(SettingsError, match="--cluster"):
        parse_settings(["--port", "1", "--config-server", "http://a"], {})
    with pytest.raises(SettingsError, match=r"Config '--port' has value 'x'\. Not a valid int\."):
        parse_settings(["--port", "x", "--cluster", "c", "--config-server", "http://a"], {})


class _Subscriber:
    """Hands out two generations, then waits forever like a long poll with no news."""

    def __init__(self) -> None:
        self.generations = [config(generation=3), config(generation=4)]
        self.closed = False

    async def next_config(self, after_generation: int = -1) -> ContainerConfig:
        if self.generations:
            return self.generations.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        self.closed = True


def test_follower_applies_each_generation_and_stops_cleanly() -> None:
    subscriber = _Subscriber()
    settings = Settings(8080, "default", ("http://a",))
    follower = ConfigFollower(settings, subscribe=lambda _: subscriber)  # type: ignore[arg-type,return-value]
    runtime = ContainerRuntime(ContentClient())

    async def main() -> tuple[int, str]:
        await follower.start(runtime)
        while runtime.state.generation < 4:
            await asyncio.sleep(0)
        status = runtime.state.status
        await follower.stop(runtime)
        return runtime.state.generation, status

    assert asyncio.run(main()) == (4, "up")
    assert subscriber.closed
    assert runtime.state.status == "down"
