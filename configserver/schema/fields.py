"""Parsing of field-level schema syntax: `field`, `struct`, `struct-field` and their settings.

Settings Vespid acts on are stored in :class:`~configserver.schema.model.Field`;
settings that only tune Vespa internals (`bolding`, `rank-type`, `sorting`, `alias`,
`id`, `dictionary`, ...) are accepted with a warning; anything else is refused with
`path:line:col: unsupported ...`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from configserver.schema.indexing import Script, parse_indexing
from configserver.schema.lexer import Pos, Scanner
from configserver.schema.model import Field, Hnsw, Struct

Warn = Callable[[str, Pos], None]

ATTRIBUTE_SETTINGS = frozenset(
    {"fast-search", "fast-access", "paged", "mutable", "fast-rank", "enable-bit-vectors",
     "enable-only-bit-vector", "huge", "uncased", "cased"}
)  # fmt: skip
DISTANCE_METRICS = frozenset(
    {"euclidean", "angular", "dotproduct", "prenormalized-angular", "hamming", "geodegrees"}
)
_METRIC_ALIASES = {"innerproduct": "dotproduct"}
MATCH_MODES = frozenset({"text", "exact", "word", "prefix", "gram", "cased", "uncased", "token"})
STEMMING = frozenset({"none", "best", "shortest", "multiple", "default"})
IGNORED_INDEX_SETTINGS = frozenset(
    {"arity", "lower-bound", "upper-bound", "dense-posting-list-threshold", "stemming"}
)
IGNORED_FIELD_SETTINGS = frozenset(
    {"bolding", "rank-type", "sorting", "alias", "id", "dictionary", "summary-to",
     "weightedset", "query-command", "body", "header", "summary", "weight", "literal"}
)  # fmt: skip


class FieldParser:
    """Parses field declarations for one file; ``warn`` records accepted-but-ignored parts."""

    def __init__(self, sc: Scanner, warn: Warn) -> None:
        self.sc = sc
        self.warn = warn

    def field(self, keyword: str = "field") -> Field:
        """Parse after `field`: `name type T { settings }` (`type` optional for struct-field)."""
        sc = self.sc
        pos = sc.where_next()
        name = sc.word("a field name")
        ftype = ""
        if sc.keyword("type"):
            ftype = sc.type_text()
        elif keyword == "field" and sc.peek() == "{":
            raise sc.error(f"field '{name}' has no type")
        result = Field(name, ftype, pos=pos)
        if sc.accept("{"):
            result = self._settings(result)
        return result

    def struct(self) -> Struct:
        """Parse after `struct`: `name [inherits a] { field ... }`."""
        sc = self.sc
        pos = sc.where_next()
        name = sc.word("a struct name")
        inherits = self.inherits_list()
        sc.expect("{", f"after struct '{name}'")
        fields: list[Field] = []
        while not sc.accept("}"):
            at = sc.where_next()
            kw = sc.word("'field' or '}'")
            if kw != "field":
                raise sc.error(f"unsupported '{kw}' in struct '{name}'", at)
            fields.append(self.field())
        return Struct(name, tuple(fields), inherits, pos)

    def inherits_list(self) -> tuple[str, ...]:
        """Parse an optional `inherits a, b` (commas optional, as Vespa allows)."""
        sc = self.sc
        names: list[str] = []
        if sc.keyword("inherits"):
            names.append(sc.word("a name to inherit"))
            while sc.accept(",") or (sc.peek_word() and sc.peek_word() != "inherits"):
                names.append(sc.word("a name to inherit"))
        return tuple(names)

    # -- the field body ---------------------------------------------------------------

    def _settings(self, f: Field) -> Field:
        sc = self.sc
        while not sc.accept("}"):
            at = sc.where_next()
            kw = sc.word(f"a setting or '}}' in field '{f.name}'")
            handler = _HANDLERS.get(kw)
            if handler is not None:
                f = handler(self, f, at)
            elif kw in IGNORED_FIELD_SETTINGS:
                sc.skip_setting()
                self.warn(f"'{kw}' in field '{f.name}' is accepted and ignored", at)
            else:
                raise sc.error(f"unsupported '{kw}' in field '{f.name}'", at)
        return f

    def _indexing(self, f: Field, at: Pos) -> Field:
        sc = self.sc
        if sc.accept(":", newlines=False):
            if sc.peek(newlines=False) == "{":
                sc.accept("{")
            else:
                text, where = sc.rest_of_line()
                return replace(f, indexing=self._script(text, where, at))
        else:
            sc.expect("{", "after 'indexing'")
        text, where = sc.block_body()
        return replace(f, indexing=self._script(text, where, at))

    def _script(self, text: str, where: Pos, at: Pos) -> Script:
        if not text:
            raise self.sc.error("empty indexing statement", at)
        return parse_indexing(text, self.sc.path, where)

    def _attribute(self, f: Field, at: Pos) -> Field:
        sc = self.sc
        if sc.accept(":", newlines=False):
            words = [sc.word("an attribute setting", newlines=False)]
            while sc.accept(",", newlines=False) or not sc.at_line_end():
                if sc.peek(newlines=False) == "}":
                    break
                words.append(sc.word("an attribute setting", newlines=False))
            for w in words:
                f = self._attribute_word(f, w, at)
            return f
        if sc.peek_word(newlines=False):
            name = sc.word()
            self.warn(f"named attribute '{name}' in field '{f.name}' uses the field's name", at)
        sc.expect("{", "after 'attribute'")
        while not sc.accept("}"):
            where = sc.where_next()
            w = sc.word(f"an attribute setting in field '{f.name}'")
            if w == "distance-metric":
                sc.expect(":", "after 'distance-metric'")
                metric = sc.word("a distance metric", newlines=False)
                metric = _METRIC_ALIASES.get(metric.lower(), metric.lower())
                if metric not in DISTANCE_METRICS:
                    raise sc.error(f"unknown distance-metric '{metric}'", where)
                f = replace(f, distance_metric=metric)
            elif w in ("sorting", "alias"):
                sc.skip_setting()
                self.warn(f"attribute '{w}' in field '{f.name}' is accepted and ignored", where)
            else:
                f = self._attribute_word(f, w, where)
        return f

    def _attribute_word(self, f: Field, word: str, at: Pos) -> Field:
        if word not in ATTRIBUTE_SETTINGS:
            raise self.sc.error(f"unsupported attribute setting '{word}' in field '{f.name}'", at)
        return f if word in f.attribute else replace(f, attribute=(*f.attribute, word))

    def _index(self, f: Field, at: Pos) -> Field:
        sc = self.sc
        if sc.accept(":", newlines=False):
            while not sc.at_line_end() and sc.peek(newlines=False) != "}":
                f = self._index_word(f, sc.word("an index setting", newlines=False), at)
            return f
        if sc.peek_word(newlines=False):
            name = sc.word()
            self.warn(f"index '{name}' in field '{f.name}' uses the field's own index", at)
            if sc.accept(":", newlines=False):
                return self._index_word(f, sc.word("an index setting", newlines=False), at)
        sc.expect("{", "after 'index'")
        while not sc.accept("}"):
            where = sc.where_next()
            w = sc.word(f"an index setting in field '{f.name}'")
            if w == "hnsw":
                f = replace(f, hnsw=self._hnsw())
            elif w in IGNORED_INDEX_SETTINGS:
                sc.skip_setting()
                self.warn(f"index '{w}' in field '{f.name}' is accepted and ignored", where)
            else:
                f = self._index_word(f, w, where)
        return f

    def _index_word(self, f: Field, word: str, at: Pos) -> Field:
        if word == "enable-bm25":
            return replace(f, enable_bm25=True)
        if word == "hnsw":
            return replace(f, hnsw=Hnsw())
        if word == "prefix":
            return replace(f, match="prefix")
        raise self.sc.error(f"unsupported index setting '{word}' in field '{f.name}'", at)

    def _hnsw(self) -> Hnsw:
        sc = self.sc
        hnsw = Hnsw()
        if not sc.accept("{"):
            return hnsw
        while not sc.accept("}"):
            at = sc.where_next()
            w = sc.word("an hnsw setting")
            sc.expect(":", f"after '{w}'")
            if w == "max-links-per-node":
                hnsw = replace(hnsw, max_links_per_node=sc.integer())
            elif w == "neighbors-to-explore-at-insert":
                hnsw = replace(hnsw, neighbors_to_explore_at_insert=sc.integer())
            elif w == "multi-threaded-indexing":
                sc.rest_of_line()
                self.warn("hnsw 'multi-threaded-indexing' is accepted and ignored", at)
            else:
                raise sc.error(f"unsupported hnsw setting '{w}'", at)
        return hnsw

    def _match(self, f: Field, at: Pos) -> Field:
        sc = self.sc
        if sc.accept(":", newlines=False):
            return self._match_item(f, sc.word("a match mode", newlines=False), at)
        sc.expect("{", "after 'match'")
        while not sc.accept("}"):
            where = sc.where_next()
            f = self._match_item(f, sc.word("a match setting"), where)
        return f

    def _match_item(self, f: Field, word: str, at: Pos) -> Field:
        sc = self.sc
        if word in MATCH_MODES:
            if word == "token":
                return replace(f, match="text")
            if word in ("cased", "uncased"):
                self.warn(f"match '{word}' in field '{f.name}' is accepted and ignored", at)
                return f
            return replace(f, match=word)
        if word == "gram-size":
            sc.expect(":", "after 'gram-size'")
            return replace(f, gram_size=sc.integer("a gram size"))
        if word == "exact-terminator":
            sc.expect(":", "after 'exact-terminator'")
            return replace(f, exact_terminator=sc.string())
        if word == "max-length":
            sc.skip_setting()
            self.warn(f"match 'max-length' in field '{f.name}' is accepted and ignored", at)
            return f
        raise sc.error(f"unsupported match setting '{word}' in field '{f.name}'", at)

    def _word_setting(self, what: str, allowed: frozenset[str]) -> str:
        sc = self.sc
        sc.expect(":", f"after '{what}'")
        at = sc.where_next(newlines=False)
        value = sc.word(f"a {what} value", newlines=False)
        if value not in allowed:
            raise sc.error(f"unknown {what} '{value}', expected one of {sorted(allowed)}", at)
        return value

    def _stemming(self, f: Field, at: Pos) -> Field:
        return replace(f, stemming=self._word_setting("stemming", STEMMING))

    def _normalizing(self, f: Field, at: Pos) -> Field:
        return replace(f, normalizing=self._word_setting("normalizing", frozenset({"none"})))

    def _rank(self, f: Field, at: Pos) -> Field:
        sc = self.sc
        if sc.accept(":", newlines=False):
            words = [sc.word("a rank setting", newlines=False)]
        else:
            sc.expect("{", "after 'rank'")
            words = []
            while not sc.accept("}"):
                words.append(sc.word("a rank setting"))
        for w in words:
            if w not in ("filter", "normal"):
                raise sc.error(f"unsupported rank setting '{w}' in field '{f.name}'", at)
        return replace(f, rank_filter="filter" in words)

    def _struct_field(self, f: Field, at: Pos) -> Field:
        sub = self.field("struct-field")
        return replace(f, struct_fields=(*f.struct_fields, sub))


_HANDLERS: dict[str, Callable[[FieldParser, Field, Pos], Field]] = {
    "indexing": FieldParser._indexing,
    "attribute": FieldParser._attribute,
    "index": FieldParser._index,
    "match": FieldParser._match,
    "stemming": FieldParser._stemming,
    "normalizing": FieldParser._normalizing,
    "rank": FieldParser._rank,
    "struct-field": FieldParser._struct_field,
}
