"""Tensor types of document fields: :mod:`vespid.tensor_type`, under its old name.

Document values and ranking expressions share one tensor type parser; this module
keeps ``vespid.document.tensor_type`` imports working.
"""

from __future__ import annotations

from vespid.tensor_type import CELL_TYPES, Dimension, TensorType, TensorTypeError, parse_tensor_type

__all__ = ["CELL_TYPES", "Dimension", "TensorType", "TensorTypeError", "parse_tensor_type"]
