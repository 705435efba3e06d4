"""End-to-end fixtures: a whole Vespid started with ``vespid up`` on free loopback ports.

Like Datasette's server fixtures: each instance gets its own home directory and free
ports, is started the way users start it (the ``vespid`` command, in a subprocess),
waited on until it answers, and always stopped at teardown. When a test fails, the end
of every process's log is attached to the report (kazoo's log dump), because the cause
is usually in a service's log, not in the test's traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Instance, copy_sample, free_port, run_vespid

_INSTANCES: list[Instance] = []


@contextmanager
def started_instance(root: Path, env: Mapping[str, str] | None = None) -> Iterator[Instance]:
    """A Vespid with the sample package deployed under ``root``, stopped on exit.

    ``env`` adds variables to the environment of ``vespid up`` and so of every service.
    """
    container_port = free_port()
    inst = Instance(
        home=root / "home",
        app_dir=copy_sample(root / "app", container_port),
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=container_port,
    )
    _INSTANCES.append(inst)
    try:
        up = run_vespid("up", str(inst.app_dir), *inst.up_args(), env=env)
        if up.returncode != 0:
            pytest.fail(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
        yield inst
    finally:
        down = run_vespid("down", "--home", str(inst.home), timeout=120)
        _INSTANCES.remove(inst)
        assert down.returncode == 0, down.stderr


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A Vespid with the sample package deployed, stopped after the module's tests."""
    with started_instance(tmp_path_factory.mktemp("vespid")) as inst:
        yield inst


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach every running instance's logs to a failing test's report."""
    report = yield
    if report.failed:
        for inst in _INSTANCES:
            report.sections.append((f"vespid logs ({inst.home})", inst.logs()))
    return report
