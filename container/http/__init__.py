"""The container's HTTP layer (Starlette): routes, the error table, the live runtime."""

from __future__ import annotations

from container.http.app import create_app
from container.http.errors import ERROR_TABLE, Mapping, error_response, mapping_for
from container.http.runtime import ContainerRuntime

__all__ = [
    "ERROR_TABLE",
    "ContainerRuntime",
    "Mapping",
    "create_app",
    "error_response",
    "mapping_for",
]
