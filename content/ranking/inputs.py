"""Query inputs of a search: ``query(x)`` values from the request or the profile's defaults.

A request's ``inputs`` map an input name (``q``; ``query(q)`` is accepted too) to a
number or a tensor in any of Vespa's JSON forms; the rank profile's ``inputs`` declare
types and default values in expression literal syntax (``[1, 2, 3]``, ``0.5``).
Vespa treats an undeclared ``query(x)`` without a value as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from content.ranking.tensors import literal_cells
from vespid.config import InputConfig, RankProfileConfig
from vespid.document.tensor_json import Cells, canonical_tensor, read_tensor
from vespid.document.tensor_type import TensorType, parse_tensor_type
from vespid.errors import InvalidDocumentError, InvalidQueryError
from vespid.expression import ExpressionError


class QueryInputs:
    """The query inputs of one search under one rank profile."""

    def __init__(self, profile: RankProfileConfig, given: Mapping[str, Any] | None) -> None:
        self.declared: dict[str, InputConfig] = {i.name: i for i in profile.inputs}
        self.given: dict[str, Any] = {}
        for key, value in (given or {}).items():
            name = key[len("query(") : -1] if key.startswith("query(") else key
            self.given[name] = value

    def raw(self, name: str) -> Any:
        """Return the request's value, else the declared default text, else None."""
        if name in self.given:
            return self.given[name]
        declared = self.declared.get(name)
        return None if declared is None else declared.default

    def number(self, name: str) -> float:
        """Return ``query(name)`` as a number (0 when absent).

        Raises:
            InvalidQueryError: when the value is not a number.
        """
        value = self.raw(name)
        if value is None:
            return 0.0
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InvalidQueryError(f"query({name}) must be a number, got {value!r}") from None

    def weighted_set(self, name: str) -> dict[str, float]:
        """Return ``query(name)`` as label → weight (for ``dotProduct``).

        Accepts ``{"a": 1, "b": 2}``, Vespa's ``{a:1,b:2}`` text, and a one-dimensional
        tensor in cells form.

        Raises:
            InvalidQueryError: when the input is missing or not of that shape.
        """
        value = self.raw(name)
        if isinstance(value, str):
            value = _weighted_set_text(value)
        if isinstance(value, Mapping) and isinstance(value.get("cells"), list):
            value = {
                str(next(iter(c["address"].values()))): c["value"]
                for c in value["cells"]
                if isinstance(c, Mapping) and len(c.get("address", {})) == 1
            }
        if not isinstance(value, Mapping):
            raise InvalidQueryError(f"query({name}) must be a weighted set like {{a:1,b:2}}")
        try:
            return {str(k): float(v) for k, v in value.items()}
        except (TypeError, ValueError):
            raise InvalidQueryError(f"query({name}) weights must be numbers") from None

    def tensor_type(self, name: str) -> TensorType | None:
        """Return the declared tensor type of ``query(name)``, None if not a tensor input."""
        declared = self.declared.get(name)
        if declared is None or not declared.type.startswith("tensor"):
            return None
        return parse_tensor_type(declared.type)

    def cells(self, name: str, tensor_type: TensorType) -> Cells:
        """Return ``query(name)`` as tensor cells of ``tensor_type``.

        Raises:
            InvalidQueryError: when the input is missing or does not fit the type.
        """
        value = self.raw(name)
        if value is None:
            raise InvalidQueryError(f"Query input query({name}) is required but not given")
        try:
            if isinstance(value, str) and value.lstrip()[:1] in ("[", "{", "t"):
                return literal_cells(value, tensor_type)
            return read_tensor(tensor_type, value, f"query({name})")
        except (InvalidDocumentError, ExpressionError, ValueError) as e:
            raise InvalidQueryError(
                f"query({name}) is not a tensor of type {tensor_type}: {e}"
            ) from None

    def dense_vector(self, name: str, tensor_type: TensorType) -> npt.NDArray[np.float32]:
        """Return ``query(name)`` as the flat float32 cells of a dense ``tensor_type``."""
        flat = _plain_vector(self.raw(name), tensor_type)
        if flat is not None:
            return flat
        canonical = canonical_tensor(tensor_type, self.cells(name, tensor_type))
        return np.asarray(canonical["values"], dtype=np.float32)


_PLAIN_NUMBERS = {int, float}


def _plain_vector(value: Any, tensor_type: TensorType) -> npt.NDArray[np.float32] | None:
    """A flat JSON list of numbers for a one-dimensional float or double tensor, as float32.

    The common nearestNeighbor input, read in one numpy call; any other form (or cell
    type, which needs rounding) returns None and goes through the general reader.
    """
    if not isinstance(value, list) or tensor_type.cell_type not in ("float", "double"):
        return None
    if len(tensor_type.indexed) != 1 or tensor_type.mapped or len(value) != tensor_type.dense_size:
        return None
    if not set(map(type, value)) <= _PLAIN_NUMBERS:
        return None
    try:
        cells = np.asarray(value, dtype=np.float64)
    except OverflowError:  # an int too large for a float
        return None
    if not np.isfinite(cells).all():
        return None
    return cells.astype(np.float32)


def _weighted_set_text(text: str) -> dict[str, str] | str:
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return text
    pairs = [p.rsplit(":", 1) for p in body[1:-1].split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        return text
    return {k.strip().strip("'\""): v.strip() for k, v in pairs}
