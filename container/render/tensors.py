"""Tensor fields in the form a request asks for (``format.tensors``).

Content nodes render tensors in Vespa's default ``short`` form. A request may ask for
``long``, ``short-value`` or ``long-value`` (document/v1 ``format.tensors``, /search/
``presentation.format.tensors``); this re-renders the schema's tensor fields of a
document or hit from the short form into the asked one. Other fields are untouched.

>>> from vespid.config import FieldConfig, SchemaConfig
>>> schema = SchemaConfig("s", fields=(FieldConfig("v", "tensor<float>(x[2])"),))
>>> reformat_tensors(schema, {"v": {"type": "tensor<float>(x[2])", "values": [1.0, 2.0]}},
...                  "short-value")
{'v': [1.0, 2.0]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vespid.config import SchemaConfig
from vespid.document import (
    TENSOR_FORMATS,
    canonical_tensor,
    parse_tensor_type,
    read_tensor,
    render_tensor,
)

DEFAULT_FORM = "short"


def reformat_tensors(schema: SchemaConfig, fields: Mapping[str, Any], form: str) -> dict[str, Any]:
    """``fields`` with every top-level tensor field rendered in ``form``.

    Raises:
        ValueError: for a ``form`` not in `TENSOR_FORMATS`.
    """
    if form not in TENSOR_FORMATS:
        raise ValueError(f"Unknown tensor format '{form}', expected one of {TENSOR_FORMATS}")
    result = dict(fields)
    if form == DEFAULT_FORM:
        return result
    for name, value in fields.items():
        declared = schema.field(name)
        if declared is None or not declared.type.startswith("tensor") or value is None:
            continue
        ttype = parse_tensor_type(declared.type)
        canonical = canonical_tensor(ttype, read_tensor(ttype, value, name))
        result[name] = render_tensor(ttype, canonical, form)
    return result
