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
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

T = TypeVar("T")

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


class _ShapeError(ValueError):
    """Data of the wrong shape; ``path`` is filled in while the decoders unwind."""

    def __init__(self, expected: str, got: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.got = got
        self.path: list[str] = []

    def __str__(self) -> str:
        return f"{''.join(self.path)}: expected {self.expected}, got {self.got!r}"


def to_data(value: Any) -> Any:
    """Return ``value`` as JSON-compatible data (dicts, lists and scalars)."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        encoder = _ENCODERS[type(value)] = _build_encoder(type(value))
    return encoder(value)


def from_data(cls: type[T], data: Any) -> T:
    """Build a ``cls`` from data made by :func:`to_data`; missing keys take their defaults.

    Raises:
        ValueError: when ``data`` does not have the shape ``cls`` declares.
    """
    result: T = decode_value(cls, data, cls.__name__)
    return result


def decode_value(tp: Any, data: Any, where: str) -> Any:
    """Decode ``data`` as a value of type ``tp``; ``where`` names it in errors."""
    try:
        return decoder_for(tp)(data)
    except _ShapeError as e:
        e.path.insert(0, where)
        raise


_HINTS: dict[Any, dict[str, Any]] = {}
_DECODERS: dict[Any, Decoder] = {}
_ENCODERS: dict[type, Encoder] = {}


def hints_of(cls: Any) -> dict[str, Any]:
    """Return the resolved type hints of a dataclass, cached per class."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _identity(value: Any) -> Any:
    return value


def _build_encoder(cls: type) -> Encoder:
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        return lambda v: {n: to_data(getattr(v, n)) for n in names}
    if issubclass(cls, tuple | list):
        return lambda v: [to_data(x) for x in v]
    if issubclass(cls, dict):
        return lambda v: {k: to_data(x) for k, x in v.items()}
    return _identity


def decoder_for(tp: Any) -> Decoder:
    """Return the decoder for ``tp``, built once per type from its hints.

    A decoder raises ValueError for data of the wrong shape; its message starts with
    the path inside the value (``[2].name: expected int, got 'x'``).
    """
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = _build_decoder(tp)
    return decoder


def _build_decoder(tp: Any) -> Decoder:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return _union_decoder(get_args(tp))
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence_decoder(decoder_for(args[0]))
        return _fixed_tuple_decoder(tuple(decoder_for(a) for a in args))
    if origin is dict:
        return _dict_decoder(decoder_for(get_args(tp)[1]))
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if tp is Any:
        return _identity
    if tp is float:
        return _float_decoder
    return _scalar_decoder(tp)


def _union_decoder(options: tuple[Any, ...]) -> Decoder:
    exact = frozenset(o for o in options if isinstance(o, type) and get_origin(o) is None)
    members = [decoder_for(o) for o in options if o is not type(None)]

    def decode(data: Any) -> Any:
        if type(data) in exact:
            return data
        failure: _ShapeError | None = None
        for member in members:
            try:
                return member(data)
            except _ShapeError as e:
                failure = failure or e
        assert failure is not None
        raise failure

    return decode


def _sequence_decoder(item: Decoder) -> Decoder:
    def decode(data: Any) -> Any:
        if not isinstance(data, list | tuple):
            raise _ShapeError("a list", data)
        try:
            return tuple(map(item, data))
        except _ShapeError as e:
            e.path.insert(0, f"[{_failing_index(item, data)}]")
            raise

    return decode


def _fixed_tuple_decoder(items: tuple[Decoder, ...]) -> Decoder:
    def decode(data: Any) -> Any:
        if not isinstance(data, list | tuple) or len(data) != len(items):
            raise _ShapeError(f"a list of {len(items)} items", data)
        return tuple(d(v) for d, v in zip(items, data, strict=True))

    return decode


def _dict_decoder(value: Decoder) -> Decoder:
    def decode(data: Any) -> Any:
        if not isinstance(data, dict):
            raise _ShapeError("an object", data)
        out = {}
        for k, v in data.items():
            try:
                out[k] = value(v)
            except _ShapeError as e:
                e.path.insert(0, f".{k}")
                raise
        return out

    return decode


def _dataclass_decoder(cls: Any) -> Decoder:
    hints = hints_of(cls)
    resolved = [(f.name, decoder_for(hints[f.name])) for f in dataclasses.fields(cls)]

    def decode(data: Any) -> Any:
        if not isinstance(data, dict):
            raise _ShapeError("an object", data)
        kwargs = {}
        for name, field_decoder in resolved:
            if name in data:
                try:
                    kwargs[name] = field_decoder(data[name])
                except _ShapeError as e:
                    e.path.insert(0, f".{name}")
                    raise
        return cls(**kwargs)

    return decode


def _float_decoder(data: Any) -> Any:
    if type(data) is float:
        return data
    if isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    raise _ShapeError("float", data)


def _scalar_decoder(tp: Any) -> Decoder:
    name = getattr(tp, "__name__", str(tp))

    def decode(data: Any) -> Any:
        if isinstance(data, tp):
            return data
        raise _ShapeError(name, data)

    return decode


def _failing_index(item: Decoder, data: Any) -> int:
    for i, v in enumerate(data):
        try:
            item(v)
        except _ShapeError:
            return i
    return -1
