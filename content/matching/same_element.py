"""`sameElement`: conditions that must all hold in one and the same element of a field.

``persons contains sameElement(name contains "joe", age > 30)`` matches a document
when some element of ``persons`` has both, not when one person is called Joe and
another is over 30. The conditions name struct fields relative to the outer field
(``name`` is the struct-field attribute ``persons.name``; for a map, ``key``,
``value`` or ``value.name``). Each condition (a term, comparison, ``in``, ``matches``
or ``fuzzy``) gives the (lid, element) pairs where it holds, read from the
attribute's element column; the boolean operators combine those pairs (and:
intersection, or: union, ``a and !b``: difference; ``rank`` keeps its first child; a
lone ``!b`` excepts from every element that has some struct field), and a document
matches when any pair survives.

On an indexed ``array<string>`` (``chunks contains sameElement("one" and "two")``)
the conditions are words and phrases of the field itself; their positions say which
element they are in (`content.index`: element ``e`` starts at ``e * ELEMENT_GAP``).
On an array attribute (``numbers contains sameElement("42")``) they are values of the
field itself. ``elementFilter`` keeps only pairs of the listed element indexes.

As in Vespa, the operator is one query term on the outer field for ranking; the
conditions inside it do not rank on their own (Vespa would also filter the text
features of an indexed array down to the matching elements; Vespid does not).
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from content.attribute import ArrayAttribute, ElementKeys, LidArray, ValueTest, lids_of_keys
from content.index import ELEMENT_GAP, TermPostings, phrase_keys
from content.matching.catalog import FieldCatalog
from content.matching.term_matching import (
    attribute_term_test,
    equals_test,
    fuzzy_test,
    in_test,
    match_index_term,
    range_test,
    regex_test,
)
from vespid.errors import InvalidQueryError
from vespid.messages import (
    AndItem,
    EqualsItem,
    FuzzyItem,
    InItem,
    Item,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    TermItem,
    TrueItem,
)


def same_element_lids(
    catalog: FieldCatalog,
    field: str,
    children: tuple[Item, ...],
    element_filter: tuple[int, ...] = (),
) -> LidArray:
    """The sorted lids with one element of ``field`` where all ``children`` hold; with
    an ``element_filter``, one of those elements.

    Raises:
        InvalidQueryError: an unknown ``field``, a condition on a field that is not
            a struct-field attribute of ``field``, or an operator sameElement cannot hold.
    """
    catalog.field(field)
    if not children:
        return np.zeros(0, dtype=np.uint32)
    keys = _ElementMatcher(catalog, field).keys(AndItem(children))
    if element_filter:
        keys = keys[np.isin(keys & 0xFFFFFFFF, element_filter)]
    return lids_of_keys(keys)


class _ElementMatcher:
    def __init__(self, catalog: FieldCatalog, field: str) -> None:
        self.catalog = catalog
        self.field = field

    def keys(self, item: Item) -> ElementKeys:
        match item:
            case AndItem(children=children):
                return reduce(_intersect, (self.keys(c) for c in children))
            case OrItem(children=children):
                return reduce(np.union1d, (self.keys(c) for c in children))
            case NotItem(positive=positive, negatives=negatives):
                excluded = [self.keys(n) for n in negatives]
                return reduce(np.setdiff1d, excluded, self.keys(positive))
            case RankItem(children=children) if children:
                return self.keys(children[0])
            case TrueItem():
                return self.all_elements()
            case TermItem(field=name) if name == self.field and name in self.catalog.indexes:
                found = match_index_term(self.catalog.indexes[name], self.catalog.field(name), item)
                if found.phrase:
                    return _elements_of(phrase_keys(found.alternatives))
                return _elements_of(*(p.position_keys for p in found.alternatives))
            case PhraseItem(field=name, terms=words) if name == self.field:
                return _elements_of(phrase_keys(self.phrase_postings(words)))
            case TermItem(field=name):
                attribute = self.attribute(name)
                config = self.catalog.field(attribute.name)
                return attribute.elements_where(
                    attribute_term_test(attribute.value_kind, config, item)
                )
            case EqualsItem(field=name, value=value):
                return self.where(name, equals_test(value))
            case RangeItem(field=name):
                test = range_test(item.lower, item.upper, item.include_lower, item.include_upper)
                return self.where(name, test)
            case InItem(field=name, values=values):
                return self.where(name, in_test(values))
            case RegexItem(field=name, pattern=pattern):
                return self.where(name, regex_test(name, pattern))
            case FuzzyItem(field=name, term=term):
                test = fuzzy_test(
                    name, term, item.max_edit_distance, item.prefix_length, item.prefix
                )
                return self.where(name, test)
        raise InvalidQueryError(
            f"sameElement on '{self.field}' cannot hold a '{item.type_name}' item"
        )

    def phrase_postings(self, words: tuple[str, ...]) -> list[TermPostings]:
        index = self.catalog.indexes.get(self.field)
        if index is None:
            raise InvalidQueryError(f"A phrase in sameElement needs '{self.field}' to be indexed")
        return [index.postings(t) for w in words for t in index.analyzer.query_terms(w)]

    def all_elements(self) -> ElementKeys:
        """Every element with a value in some struct-field attribute of the field (what a
        lone negation such as ``sameElement(!(age > 3))`` takes its exceptions from)."""
        prefix = self.field + "."
        every = [
            attribute.elements_where(lambda values: np.ones(values.shape, dtype=bool))
            for name, attribute in self.catalog.attributes.items()
            if (name.startswith(prefix) or name == self.field)
            and isinstance(attribute, ArrayAttribute)
        ]
        if not every:
            raise InvalidQueryError(
                f"sameElement on '{self.field}' needs a condition that is not negated"
            )
        found: ElementKeys = reduce(np.union1d, every)
        return found

    def where(self, name: str, test: ValueTest) -> ElementKeys:
        return self.attribute(name).elements_where(test)

    def attribute(self, name: str) -> ArrayAttribute:
        if name == self.field:
            own = self.catalog.attributes.get(name)
            if isinstance(own, ArrayAttribute):
                return own
            raise InvalidQueryError(
                f"sameElement on '{name}' needs struct-field attributes, an array "
                "attribute or an indexed array of strings, and it has none"
            )
        full = f"{self.field}.{name}"
        attribute = self.catalog.attributes.get(full)
        if not isinstance(attribute, ArrayAttribute):
            raise InvalidQueryError(
                f"Field '{full}' is not a struct-field attribute, so sameElement on "
                f"'{self.field}' cannot search '{name}' (declare "
                f"'struct-field {name} {{ indexing: attribute }}' in field '{self.field}')"
            )
        return attribute


def _intersect(a: ElementKeys, b: ElementKeys) -> ElementKeys:
    found: ElementKeys = np.intersect1d(a, b, assume_unique=True)
    return found


def _elements_of(*position_keys: ElementKeys) -> ElementKeys:
    """The (lid, element) pairs of ``lid << 32 | position`` keys of an array index, whose
    element ``e`` holds positions ``e * ELEMENT_GAP`` and up."""
    if not position_keys:
        return np.zeros(0, dtype=np.int64)
    keys = np.concatenate(position_keys)
    lids = keys >> 32
    elements = (keys & 0xFFFFFFFF) // ELEMENT_GAP
    found: ElementKeys = np.unique((lids << 32) | elements)
    return found
