"""Content node process settings: flags, then VESPID_* variables, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.settings import SettingsError, parse_settings

FLAGS = [
    "--port", "19100", "--cluster", "music", "--distribution-key", "2",
    "--data-dir", "/tmp/x", "--config-server", "http://a:19071, http://b:19071",
]  # fmt: skip


def test_flags_give_every_setting() -> None:
    settings = parse_settings(FLAGS, {})
    assert settings.port == 19100
    assert settings.distribution_key == 2
    assert settings.data_dir == Path("/tmp/x")
    assert settings.config_servers == ("http://a:19071", "http://b:19071")
    assert (settings.tenant, settings.application) == ("default", "default")


def test_environment_fills_in_and_flags_win() -> None:
    env = {
        "VESPID_PORT": "1",
        "VESPID_CLUSTER": "c",
        "VESPID_DISTRIBUTION_KEY": "0",
        "VESPID_DATA_DIR": "/d",
        "VESPID_CONFIG_SERVER": "http://cfg",
        "VESPID_TENANT": "t",
    }
    settings = parse_settings(["--port", "7"], env)
    assert (settings.port, settings.cluster, settings.tenant) == (7, "c", "t")


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"Config '--port' has value 'x'\. Not a valid int\."):
        parse_settings([*FLAGS, "--port", "x"], {})
    with pytest.raises(SettingsError, match="VESPID_FLUSH_BYTES"):
        parse_settings(FLAGS, {"VESPID_FLUSH_BYTES": "lots"})


def test_a_missing_setting_says_how_to_give_it() -> None:
    with pytest.raises(SettingsError, match="pass --cluster or set VESPID_CLUSTER"):
        parse_settings(["--port", "1"], {})


def test_the_flush_triggers_come_from_flags_or_the_environment() -> None:
    settings = parse_settings([*FLAGS, "--memory-budget", "1000"], {"VESPID_FLUSH_BYTES": "5"})
    assert (settings.memory_budget, settings.flush_bytes) == (1000, 5)
    assert parse_settings(FLAGS, {}).memory_budget == 512 << 20
