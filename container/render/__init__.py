"""Rendering: results as Vespa's JSON, byte for byte where clients depend on it."""

from __future__ import annotations

from container.render.search_json import CONTENT_TYPE, http_status, render_search

__all__ = ["CONTENT_TYPE", "http_status", "render_search"]
