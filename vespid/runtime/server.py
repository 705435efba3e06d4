"""Running a service's ASGI app, and the logging set-up every process shares."""

from __future__ import annotations

import logging
import sys
from typing import Any

import uvicorn


def setup_logging(service_name: str, level: int = logging.INFO) -> None:
    """Log to stderr, one line per record, prefixed with the service name."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format=f"%(asctime)s {service_name} %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` until SIGTERM/SIGINT (graceful shutdown)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()
