"""The config server's HTTP layer (Starlette): deploy API, config API, status endpoints."""

from __future__ import annotations

from configserver.http.app import build_app
from configserver.http.archive import ArchiveLimits, unpack
from configserver.http.deploy import DeployOptions

__all__ = ["ArchiveLimits", "DeployOptions", "build_app", "unpack"]
