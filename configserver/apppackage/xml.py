"""Safe XML reading for application packages, with file:line:col on every element.

The only module of Vespid that touches lxml (STYLE.md B1 rule 4). The parser resolves
no entities, loads no DTDs, never goes to the network and refuses huge trees, so a
package cannot make the config server read local files or remote URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from configserver.errors import InvalidApplicationPackageError

Element = etree._Element


@dataclass(frozen=True, slots=True)
class Where:
    """A position in a package file; prints as `path:line:col`."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class XmlFile:
    """A parsed XML file of the package: the root element and where each element is."""

    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        self._lines = data.decode("utf-8", errors="replace").split("\n")
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            self.root: Element = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as e:
            line, col = e.position
            message = str(e.msg).split(f" ({path}")[0] if e.msg else "malformed XML"
            raise InvalidApplicationPackageError(
                [f"{path}:{line}:{max(col, 1)}: {message}"]
            ) from None
        if self.root.getroottree().docinfo.internalDTD is not None:
            raise InvalidApplicationPackageError([f"{path}:1:1: DOCTYPE is not allowed"])

    def where(self, el: Element) -> Where:
        """Return the position of ``el``'s start tag."""
        line: int = getattr(el, "sourceline", None) or 1
        text = self._lines[line - 1] if line <= len(self._lines) else ""
        same_line = [e for e in self.root.iter(el.tag) if getattr(e, "sourceline", None) == line]
        nth = same_line.index(el) if el in same_line else 0
        name = re.escape(spelt_name(el))
        starts = [m.start() for m in re.finditer(f"<{name}(?=[\\s/>])", text)]
        col = starts[nth] + 1 if nth < len(starts) else 1
        return Where(self.path, line, col)

    def error(self, el: Element, message: str) -> str:
        """Return the package error message ``message`` located at ``el``."""
        return f"{self.where(el)}: {message}"


def spelt_name(el: Element) -> str:
    """Return the element's name as the file spells it (`preprocess:include`, `node`)."""
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def children(el: Element) -> list[Element]:
    """Return the element children of ``el`` (no comments or text)."""
    return list(el.iterchildren(etree.Element))


def text_of(el: Element) -> str:
    """Return the stripped text content of ``el``."""
    return (el.text or "").strip()
