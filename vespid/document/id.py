"""Vespa document ids: ``id:<namespace>:<document-type>:<key/value-pairs>:<user-specified>``.

The key/value part is empty, ``n=<number>`` (documents located by a 64-bit number)
or ``g=<group>`` (located by a group name); the user-specified part may contain any
character, ``:`` and ``/`` included.

>>> DocumentId.parse("id:music:music::a-head-full-of-dreams").user_specific
'a-head-full-of-dreams'
>>> DocumentId.parse("id:mail:mail:g=1234:1").group
'1234'
>>> str(DocumentId.parse("id:ns:t:n=7:x:y"))
'id:ns:t:n=7:x:y'

Each id has a 64-bit *location* and a 12-byte *global id* (gid), computed as Vespa's
``IdString::getLocation`` and ``DocumentId::calculateGlobalId`` do: the location is
the ``n=`` number, else the first 8 bytes (little-endian) of MD5 of the ``g=`` group,
else of MD5 of the user-specified part; the gid is MD5 of the whole id text with its
first 4 bytes replaced by the low 32 bits of the location (little-endian).

>>> DocumentId.parse("id:ns:t:n=1234:a").location
1234
>>> DocumentId.parse("id:ns:t:n=1234:a").global_id[:4].hex()
'd2040000'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vespid.errors import InvalidDocumentIdError

_U64 = (1 << 64) - 1


def _md5_location(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode("utf-8")).digest()[:8], "little")


@dataclass(frozen=True, slots=True)
class DocumentId:
    """A parsed document id; ``str()`` gives back the canonical text."""

    namespace: str
    doctype: str
    user_specific: str
    number: int | None = None
    group: str | None = None

    @classmethod
    def parse(cls, text: str) -> DocumentId:
        """Parse ``text``.

        Raises:
            InvalidDocumentIdError: when the text is not a valid document id.
        """
        parts = text.split(":", 4)
        if len(parts) != 5 or parts[0] != "id":
            raise InvalidDocumentIdError(
                f"Document id '{text}' is not of the form "
                "id:<namespace>:<document-type>:<key/value-pairs>:<user-specified>"
            )
        _, namespace, doctype, kv, user = parts
        if not doctype:
            raise InvalidDocumentIdError(f"Document id '{text}' has no document type")
        if not user:
            raise InvalidDocumentIdError(f"Document id '{text}' has no user-specified part")
        number, group = cls._parse_key_values(text, kv)
        return cls(namespace, doctype, user, number, group)

    @staticmethod
    def _parse_key_values(text: str, kv: str) -> tuple[int | None, str | None]:
        if not kv:
            return None, None
        key, sep, value = kv.partition("=")
        if not sep:
            raise InvalidDocumentIdError(f"Document id '{text}': '{kv}' is not a key=value pair")
        if key == "n":
            try:
                number = int(value)
            except ValueError:
                raise InvalidDocumentIdError(
                    f"Document id '{text}': n={value} is not a number"
                ) from None
            if not -_U64 <= number <= _U64:
                raise InvalidDocumentIdError(
                    f"Document id '{text}': n={value} is out of range for a 64-bit number"
                )
            return number, None
        if key == "g":
            if not value:
                raise InvalidDocumentIdError(f"Document id '{text}': empty group g=")
            return None, value
        raise InvalidDocumentIdError(
            f"Document id '{text}': unknown key '{key}' (expected n= or g=)"
        )

    @property
    def location(self) -> int:
        """The unsigned 64-bit location that places the document in a bucket."""
        if self.number is not None:
            # Vespa reads n= with strtoul, so a negative number wraps around.
            return self.number & _U64
        if self.group is not None:
            return _md5_location(self.group)
        return _md5_location(self.user_specific)

    @property
    def global_id(self) -> bytes:
        """The 12-byte global id (gid) that identifies the document across nodes."""
        digest = hashlib.md5(str(self).encode("utf-8")).digest()
        return (self.location & 0xFFFFFFFF).to_bytes(4, "little") + digest[4:12]

    def __str__(self) -> str:
        if self.number is not None:
            kv = f"n={self.number}"
        elif self.group is not None:
            kv = f"g={self.group}"
        else:
            kv = ""
        return f"id:{self.namespace}:{self.doctype}:{kv}:{self.user_specific}"
