"""What every Vespid process needs at run time: config subscription, state API, serving."""

from __future__ import annotations

from vespid.runtime.config_client import ConfigSubscriber, follow_config
from vespid.runtime.server import serve, setup_logging
from vespid.runtime.state import ServiceState, state_routes

__all__ = [
    "ConfigSubscriber",
    "ServiceState",
    "follow_config",
    "serve",
    "setup_logging",
    "state_routes",
]
