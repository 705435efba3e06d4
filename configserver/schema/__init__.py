"""The schema (.sd) language: scanner, parser to a typed model, printer, indexing analysis."""

from __future__ import annotations

from configserver.schema.model import Schema
from configserver.schema.parser import parse_schema
from configserver.schema.printer import print_schema

__all__ = ["Schema", "parse_schema", "print_schema"]
