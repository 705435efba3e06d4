"""Config server settings: flags win over VESPID_* variables, which win over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from configserver.errors import SettingsError
from configserver.settings import Settings, parse_settings, settings_or_exit


def test_defaults() -> None:
    assert parse_settings([], {}) == Settings()


def test_flags() -> None:
    argv = ["--port", "19072", "--home", "/tmp/h", "--zookeeper", "a:1,b:2",
            "--zookeeper-port", "2182", "--hostname", "node1"]  # fmt: skip
    settings = parse_settings(argv, {})
    assert settings.port == 19072
    assert settings.home == Path("/tmp/h")
    assert settings.zookeeper == "a:1,b:2"
    assert settings.zookeeper_port == 2182
    assert settings.hostname == "node1"


def test_environment_then_flags() -> None:
    env = {"VESPID_CONFIGSERVER_PORT": "19073", "VESPID_ZOOKEEPER": "z:2181"}
    assert parse_settings([], env).port == 19073
    assert parse_settings([], env).zookeeper == "z:2181"
    assert parse_settings(["--port", "19074"], env).port == 19074


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--port", "abc"], {}, "Config '--port' has value 'abc'. Not a valid port."),
        ([], {"VESPID_ZOOKEEPER_PORT": "70000"}, "Config 'VESPID_ZOOKEEPER_PORT' has value"),
        (["--session-max-age", "-1"], {}, "Not a valid number of seconds."),
    ],
)
def test_bad_values(argv: list[str], env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as error:
        parse_settings(argv, env)
    assert message in error.value.message


def test_bad_value_exits_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        settings_or_exit(["--port", "x"])
    assert exit_.value.code == 2
    assert "Not a valid port" in capsys.readouterr().err
