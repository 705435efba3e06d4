"""Free TCP ports on this host, for the content nodes derive_application places here."""

from __future__ import annotations

import socket
import threading


class FreePortAllocator:
    """Hands out ports the kernel reports free, never the same one twice per process.

    Binding port 0 and closing the socket leaves a small window in which another
    process may take the port; the node agent reports such a clash when it starts
    the service, and the next deploy allocates again.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._given: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self) -> int:
        """Return a currently free port not returned before."""
        with self._lock:
            while True:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind((self._host, 0))
                    port: int = sock.getsockname()[1]
                if port not in self._given:
                    self._given.add(port)
                    return port
