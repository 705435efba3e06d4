"""The ``vespid`` command: start and stop a local Vespid, deploy, feed, query; the node agent.

This package starts the services only as processes (``python -m configserver`` and so
on) and talks to them over HTTP; it never imports them.
"""

from __future__ import annotations
