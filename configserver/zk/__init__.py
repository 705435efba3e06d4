"""ZooKeeper: the session store over kazoo, and the embedded server launcher.

The only package that imports kazoo (STYLE.md B1 rule 4).
"""

from __future__ import annotations

from configserver.zk.launcher import EmbeddedZooKeeper, EnsembleMember, ruok
from configserver.zk.store import ZooKeeperSessionStore, connect

__all__ = ["EmbeddedZooKeeper", "EnsembleMember", "ZooKeeperSessionStore", "connect", "ruok"]
