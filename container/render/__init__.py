"""Rendering: results as Vespa's JSON, byte for byte where clients depend on it."""

from __future__ import annotations

from container.render.search_json import CONTENT_TYPE, http_status, render_search
from container.render.tensors import reformat_tensors

__all__ = ["CONTENT_TYPE", "http_status", "reformat_tensors", "render_search"]
