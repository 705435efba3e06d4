"""The config server's errors; configserver/http/errors.py maps each to deploy-API JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class ConfigServerError(Exception):
    """Root of the config server's errors."""

    error_code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(ConfigServerError):
    """The request itself is malformed (missing body, wrong content type, bad parameter)."""

    error_code = "BAD_REQUEST"
    http_status = 400


class InvalidApplicationPackageError(ConfigServerError):
    """The application package is invalid; ``messages`` holds every problem found.

    Each message reads like a compiler's: ``schemas/music.sd:12:5: unknown field 'yaer'``.
    """

    error_code = "INVALID_APPLICATION_PACKAGE"
    http_status = 400

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("Invalid application package: " + "\n".join(self.messages))


class NotFoundError(ConfigServerError):
    """A tenant, session, application or path that does not exist."""

    error_code = "NOT_FOUND"
    http_status = 404


class MethodNotAllowedError(ConfigServerError):
    """The path exists but not for this HTTP method."""

    error_code = "METHOD_NOT_ALLOWED"
    http_status = 405


class ActivationConflictError(ConfigServerError):
    """Another session was activated since this one was prepared (Vespa answers 409)."""

    error_code = "ACTIVATION_CONFLICT"
    http_status = 409


class PreconditionFailedError(ConfigServerError):
    """The session is not in a state that allows the operation (e.g. activate unprepared)."""

    error_code = "PRECONDITION_FAILED"
    http_status = 412


class ZooKeeperNotInstalledError(ConfigServerError):
    """The embedded ZooKeeper cannot start: java or the Debian ZooKeeper jars are missing."""

    error_code = "INTERNAL_SERVER_ERROR"
    http_status = 500

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(
            f"Cannot start the embedded ZooKeeper: {missing} not found. "
            "Install the Debian packages with: apt-get install zookeeper default-jre-headless"
        )


class ZooKeeperStartError(ConfigServerError):
    """The embedded ZooKeeper exited or did not answer 'ruok' in time."""

    error_code = "INTERNAL_SERVER_ERROR"
    http_status = 500


class ZooKeeperUnavailableError(ConfigServerError):
    """The ZooKeeper ensemble cannot be reached or lost the connection mid-request."""

    error_code = "INTERNAL_SERVER_ERROR"
    http_status = 503


class SettingsError(ConfigServerError):
    """A command-line flag or VESPID_* environment variable has an invalid value."""

    error_code = "BAD_REQUEST"
    http_status = 400
