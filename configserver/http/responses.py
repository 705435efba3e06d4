"""Compact JSON responses (Vespa's deploy API writes compact JSON, keys in insertion order)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def json_response(data: Any, status_code: int = 200) -> Response:
    """Return ``data`` as compact JSON with Content-Type application/json."""
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")
