"""Validate a package XML file against its RELAX NG grammar; word the errors from the grammar.

libxml2 reports a RELAX NG failure as a line and a terse sentence ("Did not expect
element handler there", "Element node failed to validate attributes", "Invalid
attribute port for element server"), without a column and without saying which
attribute is missing or what a value should be. :class:`Grammar` reads the grammar file
once more as data (which attributes each element has, which are required, what values
they take, per parent element) so each error becomes a sentence that says where, what
was expected and what arrived. The grammar files follow the conventions stated at their
top (children as `zeroOrMore(choice(...))`, no `interleave`), under which libxml2 names
the offending element and its line.

A grammar is compiled for each validation (under a millisecond), so validation shares no
lxml object between threads.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

from lxml import etree

from configserver.apppackage.xml import Element, XmlFile, children, spelt_name

_PACKAGE = "configserver.apppackage.grammar"
"""Where the grammar files are, as package data."""
_RNG = "{http://relaxng.org/ns/structure/1.0}"
_XSD = "http://www.w3.org/2001/XMLSchema-datatypes"
_INTEGERS = {
    "int": "an integer",
    "integer": "an integer",
    "positiveInteger": "an integer >= 1",
    "nonNegativeInteger": "an integer >= 0",
    "unsignedShort": "an integer from 0 to 65535",
}
_TYPES = {
    **_INTEGERS,
    "boolean": "true or false",
    "double": "a number",
    "NCName": "a name (letters, digits, '_', '-', '.'; not starting with a digit)",
    "token": "a text",
}
_QUANTIFIERS = {f"{_RNG}{q}" for q in ("optional", "zeroOrMore", "oneOrMore", "choice")}


@dataclass(frozen=True, slots=True)
class AttributeRule:
    """An attribute the grammar allows on an element."""

    required: bool
    expected: str
    """What a valid value is, in words ("an integer >= 0"); "" when any text is."""
    pattern: Element | None = None
    """The grammar's `<data>` or `<choice>` of values; None when any text is valid."""

    def accepts(self, value: str) -> bool:
        """Return whether ``value`` is valid, checked by libxml2 against ``pattern`` alone."""
        if self.pattern is None:
            return True
        grammar = etree.Element(f"{_RNG}element", name="v", datatypeLibrary=_XSD)
        grammar.append(copy.deepcopy(self.pattern))
        instance = etree.Element("v")
        instance.text = value
        return bool(etree.RelaxNG(etree.ElementTree(grammar)).validate(instance))


@dataclass(frozen=True, slots=True)
class ElementRule:
    """What the grammar allows for one element in one parent: attributes and text."""

    attributes: dict[str, AttributeRule] = field(default_factory=dict)
    text: str = ""
    """What the element's text must be, in words; "" when it holds no typed text."""


def _describe(pattern: Element) -> str:
    """Return in words what a `<data>`, `<value>` or `<choice>` of values accepts."""
    if pattern.tag == f"{_RNG}value":
        return f"'{(pattern.text or '').strip()}'"
    if pattern.tag == f"{_RNG}choice":
        values = [_describe(p) for p in children(pattern)]
        return " or ".join(values) if len(values) < 3 else f"one of {', '.join(values)}"
    kind = str(pattern.get("type"))
    params = {str(p.get("name")): (p.text or "").strip() for p in children(pattern)}
    if kind in _INTEGERS and {"minInclusive", "maxInclusive"} <= params.keys():
        return f"an integer from {params['minInclusive']} to {params['maxInclusive']}"
    if params.get("minLength") == "1":
        return "a non-empty text"
    return _TYPES.get(kind, f"of type {kind}")


class Grammar:
    """One RELAX NG grammar of the package, compiled and read as per-element rules.

    The rules are read from the grammar only when first asked for, that is when a file
    breaks the grammar: validating a valid file costs one compilation (about 0.5 ms).
    """

    def __init__(self, filename: str) -> None:
        source = resources.files(_PACKAGE).joinpath(filename).read_bytes()
        self._tree = etree.ElementTree(etree.fromstring(source))
        root = self._tree.getroot()
        self._defines = {str(d.get("name")): d for d in root.iter(f"{_RNG}define")}
        self._start = next(root.iter(f"{_RNG}start"))

    def validator(self) -> etree.RelaxNG:
        """Return a freshly compiled validator (lxml validators keep a per-object log)."""
        return etree.RelaxNG(self._tree)

    def rule(self, grandparent: str, parent: str, name: str) -> ElementRule:
        """Return the rule of element ``name`` inside ``grandparent/parent``.

        Two levels tell apart the elements of one name that differ (a `<node>` in a
        container's `<nodes>` or in a content cluster's); "" stands for above the root.
        """
        return self._rules.get((grandparent, parent, name), ElementRule())

    @property
    def roots(self) -> list[str]:
        """The names of the elements the file may start with."""
        return [str(e.get("name")) for e, _ in self._content(self._start, False)]

    @cached_property
    def _rules(self) -> dict[tuple[str, str, str], ElementRule]:
        rules: dict[tuple[str, str, str], ElementRule] = {}
        for el, _ in self._content(self._start, False):
            self._add(el, ("", ""), rules)
        return rules

    def _content(self, pattern: Element, optional: bool) -> Iterator[tuple[Element, bool]]:
        """Yield the named `<element>`/`<attribute>` patterns directly in ``pattern``.

        Refs are followed; nested elements are yielded, not entered. The flag says
        whether the pattern sits under optional, zeroOrMore, oneOrMore or choice.
        """
        for p in children(pattern):
            tag = str(p.tag)
            if tag in (f"{_RNG}element", f"{_RNG}attribute"):
                if p.get("name") is not None:
                    yield p, optional
            elif tag == f"{_RNG}ref":
                yield from self._content(self._defines[str(p.get("name"))], optional)
            else:
                yield from self._content(p, optional or tag in _QUANTIFIERS)

    def _add(
        self,
        element: Element,
        parents: tuple[str, str],
        rules: dict[tuple[str, str, str], ElementRule],
    ) -> None:
        """Add the rule of ``element`` in ``parents`` and of all below it to ``rules``."""
        name = str(element.get("name"))
        key = (*parents, name)
        if key in rules:
            return
        attributes: dict[str, AttributeRule] = {}
        nested: list[Element] = []
        for p, optional in self._content(element, False):
            if p.tag == f"{_RNG}attribute":
                typed = [c for c in children(p) if c.tag in (f"{_RNG}data", f"{_RNG}choice")]
                expected, pattern = (_describe(typed[0]), typed[0]) if typed else ("", None)
                attributes[str(p.get("name"))] = AttributeRule(not optional, expected, pattern)
            else:
                nested.append(p)
        rules[key] = ElementRule(attributes, self._text(element))
        for p in nested:
            self._add(p, (parents[1], name), rules)

    def _text(self, element: Element) -> str:
        data = [c for c in children(element) if c.tag == f"{_RNG}data"]
        return _describe(data[0]) if data else ""


def _local(el: Element) -> str:
    return etree.QName(el).localname


def _candidates(xml: XmlFile, line: int, name: str) -> list[Element]:
    """Return the elements ``name`` (any, if "") starting on ``line``, else all of them.

    Never empty: the root stands in when nothing matches.
    """
    named = [el for el in xml.root.iter(etree.Element) if name in ("", _local(el))]
    on_line = [el for el in named if getattr(el, "sourceline", None) == line]
    return on_line or named or [xml.root]


def _find(xml: XmlFile, line: int, name: str) -> Element:
    """Return the first of :func:`_candidates`."""
    return _candidates(xml, line, name)[0]


def _word(message: str, before: str, after: str) -> str:
    """Return the word of ``message`` between ``before`` and ``after``."""
    return message.split(before, 1)[1].rsplit(after, 1)[0] if before in message else ""


class _Translator:
    """Turns one file's libxml2 error log into our messages (dispatch on the error type)."""

    def __init__(self, xml: XmlFile, grammar: Grammar, reasons: Mapping[str, str]) -> None:
        self.xml, self.grammar, self.reasons = xml, grammar, reasons

    def rule(self, el: Element) -> ElementRule:
        parent = el.getparent()
        grandparent = None if parent is None else parent.getparent()
        return self.grammar.rule(
            "" if grandparent is None else _local(grandparent),
            "" if parent is None else _local(parent),
            _local(el),
        )

    def translate(self, kind: str, line: int, message: str) -> str | None:
        """Return our message for one libxml2 error, or None when it adds nothing."""
        if kind == "RELAXNG_ERR_ELEMWRONG":
            return self.unexpected(_find(self.xml, line, _word(message, "element ", " there")))
        if kind == "RELAXNG_ERR_ELEMNAME":
            return self.unexpected(self.xml.root)
        if kind == "RELAXNG_ERR_INVALIDATTR":
            el = _find(self.xml, line, message.rsplit(" ", 1)[-1])
            return self.attribute(el, _word(message, "attribute ", " for element"))
        if kind == "RELAXNG_ERR_ATTRVALID":
            # libxml2 gives only the line: of several such elements on it, the first broken
            found = (
                self.attributes(el)
                for el in _candidates(self.xml, line, _word(message, "Element ", " failed"))
            )
            return next((m for m in found if m is not None), None)
        if kind == "RELAXNG_ERR_TEXTWRONG":
            el = _find(self.xml, line, _word(message, "in element ", " content"))
            text = "".join([el.text or "", *(c.tail or "" for c in el)]).strip()
            return self.xml.error(el, f"unexpected text '{text[:40]}' in <{spelt_name(el)}>")
        if kind == "RELAXNG_ERR_CONTENTVALID":
            el = _find(self.xml, line, _word(message, "Element ", " failed"))
            expected = self.rule(el).text
            if expected and children(el):
                return self.unexpected(children(el)[0])
            if expected:
                got = (el.text or "").strip()
                return self.xml.error(el, f"<{spelt_name(el)}> must be {expected}, got '{got}'")
        return None

    def unexpected(self, el: Element) -> str:
        parent = el.getparent()
        if parent is None:
            roots = " or ".join(f"<{r}>" for r in self.grammar.roots)
            return self.xml.error(el, f"expected root element {roots}, got <{spelt_name(el)}>")
        tag, where = _local(el), f"in <{spelt_name(parent)}>"
        if tag in self.reasons:
            return self.xml.error(
                el, f"unsupported <{spelt_name(el)}> {where}: {self.reasons[tag]}"
            )
        return self.xml.error(el, f"unsupported element <{spelt_name(el)}> {where}")

    def attribute(self, el: Element, name: str) -> str:
        declared = self.rule(el).attributes.get(name)
        if declared is None:
            return self.xml.error(el, f"unknown attribute '{name}' of <{spelt_name(el)}>")
        got = el.get(name, "")
        return self.xml.error(
            el, f"attribute '{name}' of <{spelt_name(el)}> must be {declared.expected}, got '{got}'"
        )

    def attributes(self, el: Element) -> str | None:
        rules = self.rule(el).attributes
        missing = [n for n, r in rules.items() if r.required and el.get(n) is None]
        if missing:
            return self.xml.error(el, f"<{spelt_name(el)}> needs a '{missing[0]}' attribute")
        present = [(n, r) for n, r in rules.items() if el.get(n) is not None]
        refused = [n for n, r in present if not r.accepts(el.get(n, ""))]
        return self.attribute(el, refused[0]) if refused else None


def validate(xml: XmlFile, grammar: Grammar, reasons: Mapping[str, str]) -> list[str]:
    """Return the grammar errors of ``xml`` as `path:line:col: ...` messages ([] if valid).

    ``reasons`` gives, per element name the grammar leaves out on purpose, why Vespid
    refuses it; the message then says so (`unsupported <handler> in <container>: request
    handlers`). libxml2 stops checking an element's content at its first error, so the
    messages are the first errors of each failing part of the file, in document order.
    """
    validator = grammar.validator()
    if validator.validate(xml.root.getroottree()):
        return []
    translator = _Translator(xml, grammar, reasons)
    messages: list[str] = []
    for entry in validator.error_log:
        message = translator.translate(entry.type_name, entry.line, entry.message)
        if message is not None and message not in messages:
            messages.append(message)
    if not messages:
        # an error this module cannot word yet: still refuse the file, at the line given,
        # so that no reader ever sees a tree that breaks the grammar
        first = validator.error_log[0]
        where = xml.where(_find(xml, first.line, ""))
        messages.append(f"{where}: does not match the grammar of {xml.path}: {first.message}")
    return messages
