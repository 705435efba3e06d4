"""Generic JSON codec for the frozen config dataclasses.

Config documents travel from the config server to services as compact JSON. Every config
class is a frozen dataclass whose fields are JSON scalars, other config dataclasses,
tuples of those, or ``X | None``; this module turns such a value into JSON-compatible
data and back, driven only by the type hints, so a new field needs no codec code.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class P:
...     name: str
...     tags: tuple[str, ...] = ()
>>> to_data(P("a", ("x",)))
{'name': 'a', 'tags': ['x']}
>>> from_data(P, {"name": "a"})
P(name='a', tags=())
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """Return ``value`` as JSON-compatible data (dicts, lists and scalars)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    return value


def from_data(cls: type[T], data: Any) -> T:
    """Build a ``cls`` from data made by :func:`to_data`; missing keys take their defaults.

    Raises:
        ValueError: when ``data`` does not have the shape ``cls`` declares.
    """
    result: T = _decode(cls, data, cls.__name__)
    return result


def decode_value(tp: Any, data: Any, where: str) -> Any:
    """Decode ``data`` as a value of type ``tp``; ``where`` names it in errors."""
    return _decode(tp, data, where)


_HINTS: dict[Any, dict[str, Any]] = {}


def hints_of(cls: Any) -> dict[str, Any]:
    """Return the resolved type hints of a dataclass, cached per class."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode(tp: Any, data: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        if data is None and type(None) in options:
            return None
        if type(data) in options:
            return data
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _decode(option, data, where)
            except ValueError as e:
                errors.append(str(e))
        raise ValueError("; ".join(errors))
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(data, list | tuple):
            raise ValueError(f"{where}: expected a list, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise ValueError(f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(
            _decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data, strict=True))
        )
    if origin is dict:
        _, value_type = get_args(tp)
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
        return {k: _decode(value_type, v, f"{where}.{k}") for k, v in data.items()}
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, data, where)
    if tp is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if tp is Any or (isinstance(tp, type) and isinstance(data, tp)):
        return data
    raise ValueError(f"{where}: expected {getattr(tp, '__name__', tp)}, got {data!r}")


def _decode_dataclass(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    hints = hints_of(cls)
    kwargs = {
        f.name: _decode(hints[f.name], data[f.name], f"{where}.{f.name}")
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)
