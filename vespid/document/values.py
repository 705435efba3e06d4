"""Field values: Vespa's document JSON checked against a schema, to canonical values and back.

The container calls :func:`validate_fields` on every put: each field must exist in
the schema's document, and each value must fit its type. What comes back is the
*canonical* value (docs/internals.md "Document values"), the one form content nodes
store and compare. :func:`render_fields` turns canonical values back into the JSON
Vespa answers with in ``GET /document/v1`` and in hits.

Lenient where Vespa is: numbers may be sent as strings (``"price": "1000"``), bools
as ``"true"``/``"false"``, a number or bool into a string field becomes its text,
maps as an object or as ``[{"key": k, "value": v}]``, positions as ``{"lat", "lng"}``,
``{"x", "y"}`` (micro-degrees) or ``"N37.4;W122.0"``.
A field set to ``null`` in a put is left out, as Vespa does.

Struct fields are checked against ``SchemaConfig.structs``; a struct type the schema
config does not describe is accepted as any JSON object, unchecked.

>>> from vespid.config import FieldConfig, SchemaConfig
>>> music = SchemaConfig("music", fields=(FieldConfig("year", "int"),
...                                       FieldConfig("tags", "weightedset<string>")))
>>> validate_fields(music, {"year": "1999", "tags": {"rock": "2"}})
{'year': 1999, 'tags': {'rock': 2}}
>>> validate_fields(music, {"artist": "x"})
Traceback (most recent call last):
...
vespid.errors.InvalidDocumentError: No field 'artist' in the structure of type 'music', \
which has the fields: [year, tags]
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import re
import struct
from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np

from vespid.config import FieldConfig, SchemaConfig
from vespid.document.field_type import FieldType, FieldTypeError, parse_field_type
from vespid.document.id import DocumentId
from vespid.document.tensor_json import canonical_tensor, read_tensor, render_tensor
from vespid.errors import InvalidDocumentError, InvalidDocumentIdError

_INT_RANGES = {"byte": 8, "int": 32, "long": 64}
_NO_SCHEMA = SchemaConfig("")
_POSITION_TEXT = re.compile(
    r"\s*([NS])\s*(\d+(?:\.\d*)?)\s*;\s*([EW])\s*(\d+(?:\.\d*)?)\s*", re.IGNORECASE
)


def _error(where: str, expected: str, got: Any) -> InvalidDocumentError:
    return InvalidDocumentError(f"Field '{where}': expected {expected}, got {got!r}")


def field_type_of(field: FieldConfig) -> FieldType:
    """The parsed type of ``field``.

    Raises:
        InvalidDocumentError: when the config carries a type text that does not parse.
    """
    try:
        return parse_field_type(field.type)
    except FieldTypeError as e:
        raise InvalidDocumentError(f"Field '{field.name}' has an unusable type: {e}") from None


def document_field(schema: SchemaConfig, name: str) -> FieldConfig:
    """The document field ``name`` of ``schema``, as feeds may set it.

    Raises:
        InvalidDocumentError: with Vespa's message when there is no such document field.
    """
    field = schema.field(name)
    if field is None or not field.in_document:
        names = ", ".join(f.name for f in schema.fields if f.in_document)
        raise InvalidDocumentError(
            f"No field '{name}' in the structure of type '{schema.name}', "
            f"which has the fields: [{names}]"
        )
    return field


def validate_fields(schema: SchemaConfig, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check the fields of a put and return their canonical values.

    Raises:
        InvalidDocumentError: naming the first field that is unknown or has a wrong value.
    """
    result: dict[str, Any] = {}
    for name, value in fields.items():
        field = document_field(schema, name)
        if value is not None:
            result[name] = canonical_value(schema, field_type_of(field), value, name)
    return result


def canonical_value(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    """The canonical form of ``value`` for a field of type ``ftype``.

    Raises:
        InvalidDocumentError: naming ``where`` when the value does not fit.
    """
    reader = _READERS.get(ftype.kind)
    if reader is None:
        raise InvalidDocumentError(f"Field '{where}': values of type {ftype} are not supported")
    return reader(schema, ftype, value, where)


def _string(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    # Vespa reads any JSON scalar as its text into a string field.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if not isinstance(value, str):
        raise _error(where, f"a {ftype.kind} value as a JSON string", value)
    return value


def _integer(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _error(where, f"a {ftype.kind}", value) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(where, f"a {ftype.kind}", value)
    bits = _INT_RANGES[ftype.kind]
    if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
        raise _error(where, f"a {ftype.kind} ({bits}-bit signed)", value)
    return value


def _floating(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    number = None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError, OverflowError):
            number = float(value.strip() if isinstance(value, str) else value)
    if number is None:
        raise _error(where, f"a {ftype.kind}", value)
    if not math.isfinite(number):
        # Vespa stores NaN and infinity, but JSON cannot carry them between processes
        raise _error(where, f"a finite {ftype.kind}", value)
    if ftype.kind == "float":
        single = float32(number)
        if single is None:
            raise _error(where, "a float (32-bit) in range", value)
        return single
    return number


def float32(value: float) -> float | None:
    """``value`` as a 32-bit float field holds it, None when out of range.

    Vespa keeps float fields in 32 bits and writes them with the shortest text that
    reads back as the same float (``0.1 + 0.2`` is stored and shown as ``0.3``), so
    the canonical value is that shortest decimal.
    """
    try:
        struct.pack("<f", value)  # fails exactly when the value rounds beyond 32 bits
    except OverflowError:
        return None
    return float(str(np.float32(value)))


def _boolean(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _error(where, "a bool (true or false)", value)


def _raw(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            base64.b64decode(value, validate=True)
            return value
        except binascii.Error:
            pass
    raise _error(where, "raw data as a base64 string", value)


def _position(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if isinstance(value, str):
        match = _POSITION_TEXT.fullmatch(value)
        if match is None:
            raise _error(where, "a position like 'N37.4;W122.0'", value)
        lat = float(match.group(2)) * (-1 if match.group(1).upper() == "S" else 1)
        lng = float(match.group(4)) * (-1 if match.group(3).upper() == "W" else 1)
        return _checked_position(lat, lng, where)
    if isinstance(value, dict) and set(value) == {"lat", "lng"}:
        number = FieldType("double")
        lat = _floating(schema, number, value["lat"], f"{where}.lat")
        lng = _floating(schema, number, value["lng"], f"{where}.lng")
        return _checked_position(lat, lng, where)
    if isinstance(value, dict) and set(value) == {"x", "y"}:
        micro = FieldType("int")
        x = _integer(schema, micro, value["x"], f"{where}.x")
        y = _integer(schema, micro, value["y"], f"{where}.y")
        return _checked_position(y / 1e6, x / 1e6, where)
    raise _error(where, "a position {'lat': degrees, 'lng': degrees}", value)


def _checked_position(lat: float, lng: float, where: str) -> dict[str, float]:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        raise _error(where, "latitude in -90..90 and longitude in -180..180", (lat, lng))
    # Vespa keeps positions as integer micro-degrees and renders them back as degrees.
    return {"lat": round(lat * 1e6) / 1e6, "lng": round(lng * 1e6) / 1e6}


def _reference(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if not isinstance(value, str):
        raise _error(where, f"a document id of type '{ftype.name}'", value)
    if not value:
        return value  # Vespa takes an empty string as an empty reference
    try:
        doc_id = DocumentId.parse(value)
    except InvalidDocumentIdError as e:
        raise InvalidDocumentError(f"Field '{where}': {e.message}") from None
    if doc_id.doctype != ftype.name:
        raise _error(where, f"a document id of type '{ftype.name}'", value)
    return value


def _array(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if not isinstance(value, list):
        raise _error(where, f"a JSON array for {ftype}", value)
    assert ftype.item is not None
    return [canonical_value(schema, ftype.item, v, f"{where}[{i}]") for i, v in enumerate(value)]


PRIMITIVE_KEYS = frozenset({"string", "int", "long", "byte", "float", "double", "bool", "uri"})
"""Types that can be weighted-set items and map keys."""


def element_key(schema: SchemaConfig, ftype: FieldType, key: Any, where: str) -> str:
    """The canonical key (a string) of a weighted-set item or map key of type ``ftype``.

    Raises:
        InvalidDocumentError: when ``key`` is not a value of ``ftype``.
    """
    if ftype.kind not in PRIMITIVE_KEYS:
        raise InvalidDocumentError(f"Field '{where}': {ftype} cannot be a key")
    canonical = canonical_value(schema, ftype, key, where)
    if isinstance(canonical, bool):
        return "true" if canonical else "false"
    return str(canonical)


def _weight(value: Any, where: str) -> int:
    result: int = _integer(_NO_SCHEMA, FieldType("int"), value, where)
    return result


def _weightedset(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _error(where, f"a JSON object of item: weight for {ftype}", value)
    assert ftype.item is not None
    return {
        element_key(schema, ftype.item, k, f"{where}{{{k}}}"): _weight(w, f"{where}{{{k}}}")
        for k, w in value.items()
    }


def _map(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    assert ftype.key is not None
    assert ftype.item is not None
    if isinstance(value, list):
        if not all(isinstance(e, dict) and set(e) == {"key", "value"} for e in value):
            raise _error(where, f"a JSON object or [{{'key', 'value'}}] for {ftype}", value)
        pairs = [(e["key"], e["value"]) for e in value]
    elif isinstance(value, dict):
        pairs = list(value.items())
    else:
        raise _error(where, f"a JSON object for {ftype}", value)
    return {
        element_key(schema, ftype.key, k, f"{where}{{{k}}}"): canonical_value(
            schema, ftype.item, v, f"{where}{{{k}}}"
        )
        for k, v in pairs
    }


def _struct(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _error(where, f"a JSON object for struct {ftype.name}", value)
    struct = schema.struct(ftype.name)
    if struct is None:
        return dict(value)
    result = {}
    for name, v in value.items():
        field = struct.field(name)
        if field is None:
            names = ", ".join(f.name for f in struct.fields)
            raise InvalidDocumentError(
                f"No field '{name}' in the structure of type '{struct.name}', "
                f"which has the fields: [{names}]"
            )
        if v is not None:
            result[name] = canonical_value(schema, field_type_of(field), v, f"{where}.{name}")
    return result


def _tensor(schema: SchemaConfig, ftype: FieldType, value: Any, where: str) -> Any:
    assert ftype.tensor is not None
    tensor = canonical_tensor(ftype.tensor, read_tensor(ftype.tensor, value, where))
    values = tensor["values"] if "values" in tensor else [c["value"] for c in tensor["cells"]]
    if not all(math.isfinite(v) for v in values):
        raise _error(where, f"cell values in range for {ftype.tensor}", value)
    return tensor


_Reader = Callable[[SchemaConfig, FieldType, Any, str], Any]
_READERS: dict[str, _Reader] = {
    "string": _string,
    "uri": _string,
    "predicate": _string,
    "int": _integer,
    "long": _integer,
    "byte": _integer,
    "float": _floating,
    "double": _floating,
    "bool": _boolean,
    "raw": _raw,
    "position": _position,
    "reference": _reference,
    "array": _array,
    "weightedset": _weightedset,
    "map": _map,
    "struct": _struct,
    "tensor": _tensor,
}


def render_fields(
    schema: SchemaConfig,
    fields: Mapping[str, Any],
    field_names: Collection[str] | None = None,
    tensor_format: str = "short",
) -> dict[str, Any]:
    """Vespa's JSON for canonical ``fields`` (GET answers, visit results, hits).

    Only ``field_names`` are rendered when given; fields the schema no longer
    has are left out. ``tensor_format`` is ``short`` (Vespa's default), ``long``,
    ``short-value`` or ``long-value``.

    Raises:
        ValueError: for an unknown ``tensor_format``.
    """
    result: dict[str, Any] = {}
    for name, value in fields.items():
        if field_names is not None and name not in field_names:
            continue
        field = schema.field(name)
        if field is not None:
            result[name] = render_value(schema, field_type_of(field), value, tensor_format)
    return result


def render_value(schema: SchemaConfig, ftype: FieldType, value: Any, tensor_format: str) -> Any:
    """Vespa's JSON for one canonical value of type ``ftype``."""
    if ftype.kind == "tensor":
        assert ftype.tensor is not None
        return render_tensor(ftype.tensor, value, tensor_format)
    if ftype.kind == "array":
        assert ftype.item is not None
        item = ftype.item
        return [render_value(schema, item, v, tensor_format) for v in value]
    if ftype.kind == "map":
        assert ftype.item is not None
        item = ftype.item
        return {k: render_value(schema, item, v, tensor_format) for k, v in value.items()}
    if ftype.kind == "struct":
        struct = schema.struct(ftype.name)
        if struct is None:
            return dict(value)
        return {
            k: render_value(schema, field_type_of(f), v, tensor_format)
            for k, v in value.items()
            if (f := struct.field(k)) is not None
        }
    if isinstance(value, dict):
        return dict(value)
    return value
