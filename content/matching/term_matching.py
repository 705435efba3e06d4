"""Matching one query word against one field: an index's postings or an attribute's values.

Index fields: the word goes through the field's :class:`Analyzer` (so stemming and
accent folding meet the document side). One resulting term is a posting list; several
(``"x-ray"`` → ``x``, ``ray``) form a phrase, as Vespa's query parser makes them.
Prefix (``kind='prefix'`` or ``match: prefix``), substring and suffix words expand to
every dictionary term that fits; their frequencies add up.

Attribute fields: strings compare lower-cased (Vespa's attributes are uncased by
default); numbers accept Vespa's numeric term syntax: ``42``, ``<42``, ``>42``,
``[lo;hi]`` (inclusive; a bound may be empty).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from content.attribute import AnyAttribute, LidArray, ValueTest
from content.attribute.multi import MultiValueAttribute
from content.attribute.single import NumericAttribute, StringAttribute
from content.index import DocIdSet, FieldIndex, TermPostings, docids_from_lids, phrase_lids
from content.index.field_index import FloatArray
from vespid.config import FieldConfig
from vespid.errors import InvalidQueryError
from vespid.messages import TermItem

_NUMERIC_RANGE = re.compile(r"^\[\s*([^;\]]*)\s*;\s*([^;\]]*)\s*(?:;[^\]]*)?\]$")


@dataclass(frozen=True, slots=True)
class IndexTermMatch:
    """Where a word matched in an index field, and the postings that say how often."""

    lids: LidArray
    alternatives: tuple[TermPostings, ...]
    phrase: bool

    @property
    def docids(self) -> DocIdSet:
        """``lids`` as a bitmap: the posting list's own for a plain word (do not modify)."""
        if len(self.alternatives) == 1 and not self.phrase:
            return self.alternatives[0].docids
        return docids_from_lids(self.lids)


def match_index_term(index: FieldIndex, field: FieldConfig, item: TermItem) -> IndexTermMatch:
    """Match ``item``'s word against an indexed field."""
    analyzer = index.analyzer
    kind = "prefix" if field.match == "prefix" and item.kind == "word" else item.kind
    if kind in ("prefix", "substring", "suffix"):
        words = analyzer.query_terms(item.term, stem=False, normalize=item.normalize)
        needle = "".join(words)
        terms = _expand(index, kind, needle) if needle else []
        postings = tuple(index.postings(t) for t in terms)
        return IndexTermMatch(_union(postings), postings, phrase=False)
    words = analyzer.query_terms(item.term, stem=item.stem, normalize=item.normalize)
    postings = tuple(index.postings(t) for t in words)
    if len(postings) == 1:
        return IndexTermMatch(postings[0].lids, postings, phrase=False)
    return IndexTermMatch(phrase_lids(postings), postings, phrase=True)


def _expand(index: FieldIndex, kind: str, needle: str) -> list[str]:
    if kind == "prefix":
        return index.terms_with_prefix(needle)
    if kind == "suffix":
        return [t for t in index.all_terms() if t.endswith(needle)]
    return [t for t in index.all_terms() if needle in t]


def _union(postings: tuple[TermPostings, ...]) -> LidArray:
    if not postings:
        return np.zeros(0, dtype=np.uint32)
    return np.unique(np.concatenate([p.lids for p in postings]))


@dataclass(frozen=True, slots=True)
class AttributeTermMatch:
    """Where a word matched in an attribute, and its weight there (multi-value only)."""

    lids: LidArray
    weights: FloatArray | None
    """Per lid: summed weight of the matching elements (occurrences for arrays,
    weights for weighted sets); None for single-value attributes (weight 1)."""


def match_attribute_term(
    attribute: AnyAttribute, field: FieldConfig, item: TermItem
) -> AttributeTermMatch:
    """Match ``item``'s word against an attribute field.

    Raises:
        InvalidQueryError: for a tensor field, or a word that is not a number on a
            numeric field.
    """
    if not isinstance(attribute, NumericAttribute | StringAttribute | MultiValueAttribute):
        raise InvalidQueryError(f"Field '{field.name}' of type {field.type} cannot be searched")
    test = attribute_term_test(attribute.value_kind, field, item)
    lids = attribute.lids_where(test)
    if isinstance(attribute, MultiValueAttribute):
        return AttributeTermMatch(lids, attribute.weight_sums(test, lids))
    return AttributeTermMatch(lids, None)


def attribute_term_test(value_kind: str, field: FieldConfig, item: TermItem) -> ValueTest:
    """Return the test for ``item``'s word on attribute values of ``value_kind``.

    Raises:
        InvalidQueryError: a word that is not a number on a numeric field.
    """
    if value_kind == "string":
        kind = "prefix" if field.match == "prefix" and item.kind == "word" else item.kind
        return string_test(kind, item.term.lower())
    return numeric_term_test(field.name, item.term)


def string_test(kind: str, needle: str) -> ValueTest:
    """Return the test for lower-cased attribute strings against ``needle``."""
    if kind in ("word", "exact"):
        return lambda values: np.asarray(values == needle, dtype=bool)
    if kind == "prefix":
        return _each(lambda v: v.startswith(needle))
    if kind == "suffix":
        return _each(lambda v: v.endswith(needle))
    return _each(lambda v: needle in v)


def _each(predicate: Callable[[str], bool]) -> ValueTest:
    # Runs once per distinct dictionary string, never per document.
    def test(values: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
        return np.fromiter((predicate(v) for v in values), dtype=bool, count=values.size)

    return test


def numeric_term_test(field: str, term: str) -> ValueTest:
    """Return the test for Vespa's numeric term syntax (``42``, ``<42``, ``[1;5]``).

    Raises:
        InvalidQueryError: when ``term`` is not such a term.
    """
    text = term.strip()
    try:
        if text.lower() in ("true", "false"):
            flag = float(text.lower() == "true")
            return lambda values: np.asarray(values == flag, dtype=bool)
        if text.startswith("<"):
            upper = float(text[1:])
            return lambda values: np.asarray(values < upper, dtype=bool)
        if text.startswith(">"):
            lower = float(text[1:])
            return lambda values: np.asarray(values > lower, dtype=bool)
        bounds = _NUMERIC_RANGE.match(text)
        if bounds is not None:
            return range_test(_bound(bounds.group(1)), _bound(bounds.group(2)), True, True)
        number = float(text)
    except ValueError:
        raise InvalidQueryError(
            f"Field '{field}' is numeric; '{term}' is not a number or numeric range"
        ) from None
    return lambda values: np.asarray(values == number, dtype=bool)


def _bound(text: str) -> float | None:
    return float(text) if text.strip() else None


def range_test(
    lower: float | None, upper: float | None, include_lower: bool, include_upper: bool
) -> ValueTest:
    """Return the test for a numeric range; a None bound is open.

    On integer values the bounds become the equivalent integers (``v < 2.5`` is
    ``v <= 2``), so the comparison runs on the values as stored, with no conversion of
    the whole column to float.

    Raises:
        InvalidQueryError: when run over strings (a string attribute has no order to
            compare a number with).
    """

    def test(values: FloatArray) -> npt.NDArray[np.bool_]:
        if values.dtype == object:
            raise InvalidQueryError("A numeric range or comparison cannot search strings")
        if values.dtype.kind in "iu":
            low, high = _integer_range(lower, upper, include_lower, include_upper)
            if low is not None and high is not None:
                if low > high:
                    return np.zeros(values.shape, dtype=bool)
                return (values >= low) & (values <= high)
            if low is not None:
                return np.asarray(values >= low)
            if high is not None:
                return np.asarray(values <= high)
            return np.ones(values.shape, dtype=bool)
        passing = np.ones(values.shape, dtype=bool)
        if lower is not None:
            passing &= values >= lower if include_lower else values > lower
        if upper is not None:
            passing &= values <= upper if include_upper else values < upper
        return passing

    return test


_INT64 = np.iinfo(np.int64)


def _integer_range(
    lower: float | None, upper: float | None, include_lower: bool, include_upper: bool
) -> tuple[int | None, int | None]:
    """The inclusive integer bounds ``(low, high)`` an integer must lie within.

    None is open; an impossible range comes back with ``low > high``.
    """
    low = high = None
    if lower is not None:
        if math.isnan(lower) or lower == math.inf:
            return 1, 0
        if lower != -math.inf:
            low = math.ceil(lower) if include_lower else math.floor(lower) + 1
            low = None if low <= _INT64.min else min(low, _INT64.max + 1)
    if upper is not None:
        if math.isnan(upper) or upper == -math.inf:
            return 1, 0
        if upper != math.inf:
            high = math.floor(upper) if include_upper else math.ceil(upper) - 1
            high = None if high >= _INT64.max else max(high, _INT64.min - 1)
    if low is not None and low > _INT64.max:
        return 1, 0
    if high is not None and high < _INT64.min:
        return 1, 0
    return low, high


def fuzzy_test(
    field: str, term: str, max_distance: int, prefix_length: int, prefix: bool
) -> ValueTest:
    """Return the test for Vespa's ``fuzzy``: lower-cased strings within a Levenshtein
    distance of ``max_distance`` from ``term``, their first ``prefix_length``
    characters equal to the term's; with ``prefix``, some prefix of the string suffices.

    Raises:
        InvalidQueryError: when run over numbers (fuzzy needs a string attribute).
    """
    needle = term.lower()
    frozen, rest = needle[:prefix_length], needle[prefix_length:]

    def close(value: str) -> bool:
        if value[:prefix_length] != frozen:
            return False
        return edit_distance(rest, value[prefix_length:], max_distance, prefix) <= max_distance

    def test(candidates: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
        if candidates.dtype != object:
            raise InvalidQueryError(f"fuzzy needs a string attribute; '{field}' is not")
        return np.fromiter((close(v) for v in candidates), bool, candidates.size)

    return test


def edit_distance(query: str, text: str, limit: int, prefix: bool = False) -> int:
    """Levenshtein distance from ``query`` to ``text`` (to its closest prefix when
    ``prefix``), or ``limit + 1`` as soon as it must exceed ``limit``.

    >>> edit_distance("parantesis", "parenthesis", 2), edit_distance("abc", "abcdef", 0, True)
    (2, 0)
    """
    previous = list(range(len(text) + 1))
    for i, q in enumerate(query, start=1):
        current = [i]
        for j, t in enumerate(text, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (q != t)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous) if prefix else previous[-1]


def capped_lids(attribute: AnyAttribute, lids: LidArray, hit_limit: int) -> LidArray:
    """Vespa's capped range: of ``lids`` (sorted), those holding the ``hit_limit`` lowest
    values (the ``-hit_limit`` highest when negative), with every lid tied at the cut.

    Vespa walks the attribute's dictionary from one end and takes whole values until
    it has enough documents, so ties at the last value come along.

    Raises:
        InvalidQueryError: on an attribute that is not single-value numeric.
    """
    if not isinstance(attribute, NumericAttribute):
        raise InvalidQueryError(
            f"hitLimit needs a single-value numeric attribute; '{attribute.name}' is not"
        )
    count = abs(hit_limit)
    if lids.size <= count:
        return lids
    values = attribute.values_for(lids)
    if hit_limit > 0:
        cut = np.partition(values, count - 1)[count - 1]
        keep = values <= cut
    else:
        cut = np.partition(values, values.size - count)[values.size - count]
        keep = values >= cut
    kept: LidArray = lids[keep]
    return kept


def equals_test(value: bool | int | float | str) -> ValueTest:
    """Return the test for ``field = value``: a lower-cased string or a number."""
    if isinstance(value, str):
        return string_test("word", value.lower())
    number = float(value)
    return lambda values: np.asarray(values == number, dtype=bool)


def in_test(values: tuple[int | float | str, ...]) -> ValueTest:
    """Return the test for ``field in (...)``: strings compare lower-cased."""
    strings = {v.lower() for v in values if isinstance(v, str)}
    numbers = np.array([float(v) for v in values if not isinstance(v, str)])

    def test(candidates: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
        if candidates.dtype == object:
            return np.fromiter((v in strings for v in candidates), bool, candidates.size)
        return np.isin(candidates, numbers)

    return test


def regex_test(field: str, pattern: str) -> ValueTest:
    """Return the test for ``field matches pattern`` (case-insensitive, unanchored).

    Raises:
        InvalidQueryError: for an invalid pattern, or when run over numbers.
    """
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise InvalidQueryError(f"Field '{field}': invalid regular expression: {e}") from e

    def test(candidates: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
        if candidates.dtype != object:
            raise InvalidQueryError(f"Field '{field}' is not a string attribute")
        return np.fromiter(
            (compiled.search(v) is not None for v in candidates), bool, candidates.size
        )

    return test
