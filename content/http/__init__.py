"""The content node's HTTP layer (the only Starlette code in `content`)."""

from __future__ import annotations

from content.http.app import create_app
from content.http.server import NodeService, run

__all__ = ["NodeService", "create_app", "run"]
