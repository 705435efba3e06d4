"""document/v1 paths: which document, or which documents to visit.

Single documents::

    /document/v1/{namespace}/{type}/docid/{user-specified...}
    /document/v1/{namespace}/{type}/number/{n}/{user-specified...}
    /document/v1/{namespace}/{type}/group/{g}/{user-specified...}

The user-specified part runs to the end of the path and may hold ``/`` (clients do not
escape it) and any Unicode character. Visits use the same paths with nothing after
``docid``, ``number/{n}`` or ``group/{g}``, or just ``/document/v1/``.

>>> p = parse_document_path("/document/v1/ns/music/docid/a/b")
>>> str(p.document_id), p.is_visit
('id:ns:music::a/b', False)
>>> parse_document_path("/document/v1/ns/music/group/g1/x").document_id.group
'g1'
>>> parse_document_path("/document/v1/").is_visit
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from container.errors import BadDocumentRequestError
from vespid.document import DocumentId

PREFIX = "/document/v1"
_PATH = re.compile(
    r"/document/v1/?(?:(?P<ns>[^/]+)/(?P<type>[^/]+)/"
    r"(?:docid|number/(?P<n>[^/]+)|group/(?P<g>[^/]+))(?:/(?P<id>.*))?)?",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class DocumentPath:
    """A parsed document/v1 path."""

    namespace: str | None = None
    doctype: str | None = None
    number: int | None = None
    group: str | None = None
    user_specific: str | None = None

    @property
    def is_visit(self) -> bool:
        """True when the path names no single document."""
        return not self.user_specific

    @property
    def document_id(self) -> DocumentId:
        """The document the path names (only for single-document paths)."""
        assert self.namespace is not None, "only single-document paths have an id"
        assert self.doctype is not None, "only single-document paths have an id"
        assert self.user_specific, "only single-document paths have an id"
        return DocumentId(self.namespace, self.doctype, self.user_specific, self.number, self.group)


def parse_document_path(path: str) -> DocumentPath:
    """Parse a (percent-decoded) request path under /document/v1.

    Raises:
        BadDocumentRequestError: for a path of none of the document/v1 forms.
    """
    m = _PATH.fullmatch(path)
    if m is None:
        raise BadDocumentRequestError(
            f"Path '{path}' is not /document/v1/<namespace>/<document-type>/docid/<id>, "
            "/number/<n>/<id>, /group/<g>/<id>, or a visit path ending before <id>"
        )
    for part in ("ns", "type"):
        if ":" in (m.group(part) or ""):
            raise BadDocumentRequestError(f"Path '{path}': '{m.group(part)}' may not contain ':'")
    number = None
    if m.group("n") is not None:
        try:
            number = int(m.group("n"))
        except ValueError:
            raise BadDocumentRequestError(
                f"Path '{path}': number '{m.group('n')}' is not an integer"
            ) from None
    return DocumentPath(m.group("ns"), m.group("type"), number, m.group("g"), m.group("id"))
