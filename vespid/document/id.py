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
"""

from __future__ import annotations

from dataclasses import dataclass

from vespid.errors import InvalidDocumentIdError


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
                return int(value), None
            except ValueError:
                raise InvalidDocumentIdError(
                    f"Document id '{text}': n={value} is not a number"
                ) from None
        if key == "g":
            if not value:
                raise InvalidDocumentIdError(f"Document id '{text}': empty group g=")
            return None, value
        raise InvalidDocumentIdError(
            f"Document id '{text}': unknown key '{key}' (expected n= or g=)"
        )

    def __str__(self) -> str:
        if self.number is not None:
            kv = f"n={self.number}"
        elif self.group is not None:
            kv = f"g={self.group}"
        else:
            kv = ""
        return f"id:{self.namespace}:{self.doctype}:{kv}:{self.user_specific}"
