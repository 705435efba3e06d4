"""A small client of the config server's deploy API, as the vespa CLI uses it.

Deploy is one ``POST /application/v2/tenant/default/prepareandactivate`` with the zipped
package; convergence and the container endpoints come from ``.../serviceconverge``
(WIRE.md, "Deploy API"). Every call is synchronous: the CLI does one thing at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from vespid.cli.errors import CliError

TENANT_PATH = "/application/v2/tenant/default"
INSTANCE_PATH = (
    TENANT_PATH + "/application/default/environment/prod/region/default/instance/default"
)


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """One service as serviceconverge reports it."""

    type: str
    host: str
    port: int
    cluster: str
    current_generation: int

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Convergence:
    """The serviceconverge answer: have all services reached the wanted generation?"""

    wanted_generation: int
    converged: bool
    services: tuple[ServiceStatus, ...]

    def containers(self) -> tuple[ServiceStatus, ...]:
        """The container services (where queries and feeds go)."""
        return tuple(s for s in self.services if s.type == "container")

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Convergence:
        """Read the JSON answer of serviceconverge."""
        services = tuple(
            ServiceStatus(
                type=str(s.get("type", "")),
                host=str(s.get("host", "localhost")),
                port=int(s.get("port", 0)),
                cluster=str(s.get("clusterName", "")),
                current_generation=int(s.get("currentGeneration", -1)),
            )
            for s in body.get("services", [])
        )
        return cls(int(body.get("wantedGeneration", -1)), bool(body.get("converged")), services)


@dataclass(frozen=True, slots=True)
class DeployResult:
    """What prepareandactivate answered."""

    session_id: int
    message: str
    log: tuple[str, ...]
    """Warnings and other deploy log lines, as ``LEVEL: message``."""


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    if isinstance(body, dict) and "message" in body:
        code = body.get("error-code", "")
        return f"{code}: {body['message']}" if code else str(body["message"])
    return response.text.strip()


class ConfigServer:
    """The deploy API of one config server, e.g. ``ConfigServer("http://localhost:19071")``."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self._client = client if client is not None else httpx.Client(timeout=30.0)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def healthy(self) -> bool:
        """True when the config server answers ``/state/v1/health`` with status up."""
        try:
            response = self._client.get(self.url + "/state/v1/health", timeout=2.0)
            return response.status_code == 200 and response.json()["status"]["code"] == "up"
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return False

    def deploy(self, package: bytes, timeout: float = 120.0) -> DeployResult:
        """Prepare and activate ``package`` (zip bytes).

        Raises:
            CliError: with the config server's message when it refuses the package.
        """
        try:
            response = self._client.post(
                self.url + TENANT_PATH + "/prepareandactivate",
                content=package,
                headers={"Content-Type": "application/zip"},
                timeout=timeout,
            )
        except httpx.HTTPError as e:
            raise CliError(f"Could not deploy to {self.url}: {e}") from e
        if response.status_code != 200:
            raise CliError(
                f"Deployment failed ({response.status_code} {response.reason_phrase}):\n"
                + _error_text(response)
            )
        body = response.json()
        log = tuple(
            f"{e.get('level', 'INFO')}: {e.get('message', '')}" for e in body.get("log", [])
        )
        return DeployResult(int(body["session-id"]), str(body.get("message", "")), log)

    def convergence(self) -> Convergence | None:
        """The current serviceconverge answer; None when no application is active or on errors."""
        try:
            response = self._client.get(self.url + INSTANCE_PATH + "/serviceconverge", timeout=10)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        try:
            return Convergence.from_json(response.json())
        except (ValueError, TypeError, AttributeError):
            return None

    def has_application(self) -> bool:
        """True when an application is active (serviceconverge answers)."""
        try:
            response = self._client.get(self.url + INSTANCE_PATH + "/serviceconverge", timeout=10)
        except httpx.HTTPError as e:
            raise CliError(f"Config server at {self.url} does not answer: {e}") from e
        return response.status_code == 200
