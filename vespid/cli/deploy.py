"""Deploying a package and waiting until it serves: ``vespid deploy`` and the end of ``vespid up``.

After prepareandactivate answers, the new generation still has to reach every service:
we poll serviceconverge until it says converged at (at least) the deployed generation,
then each container's ``/ApplicationStatus`` until it answers 200, as pyvespa's
``wait_for_application_up`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from vespid.cli.configserver import ConfigServer, Convergence, DeployResult
from vespid.cli.package import zip_package
from vespid.cli.readiness import Watched, wait_until

LogList = Callable[[], Sequence[tuple[str, Path]]]


def container_ready(url: str) -> bool:
    """True when the container at ``url`` answers ``GET /ApplicationStatus`` with 200."""
    try:
        return httpx.get(url + "/ApplicationStatus", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _ready_check(url: str) -> Callable[[], bool | None]:
    return lambda: True if container_ready(url) else None


def wait_for_application(
    config_server: ConfigServer,
    generation: int,
    timeout: float,
    watched: Sequence[Watched] = (),
    logs: LogList = tuple,
    failed: Callable[[], str | None] = lambda: None,
) -> Convergence:
    """Wait until every service runs ``generation`` (or newer) and every container answers.

    ``failed`` may end the wait early with a reason (see :func:`wait_until`).
    """

    def converged() -> Convergence | None:
        state = config_server.convergence()
        if state is None or not state.converged or state.wanted_generation < generation:
            return None
        return state

    state = wait_until(
        converged,
        f"the services to converge on generation {generation}"
        if generation > 0
        else "the services to converge",
        timeout,
        watched,
        logs,
        failed,
    )
    for container in state.containers():
        wait_until(
            _ready_check(container.url),
            f"the container at {container.url}",
            timeout,
            watched,
            logs,
            failed,
        )
    return state


def deploy(
    config_server: ConfigServer,
    app_dir: Path,
    out: Callable[[str], None],
) -> DeployResult:
    """Zip and deploy the package in ``app_dir``; report the config server's answer on ``out``."""
    result = config_server.deploy(zip_package(app_dir))
    for line in result.log:
        out(line)
    out(result.message or f"Session {result.session_id} activated.")
    return result


def describe_endpoints(state: Convergence) -> list[str]:
    """Lines naming where queries and feeds go."""
    return [
        f"Container ({c.cluster}) at {c.url} is ready: {c.url}/search/ {c.url}/document/v1/"
        for c in state.containers()
    ]
