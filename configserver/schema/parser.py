"""The schema (.sd) parser: text → :class:`~configserver.schema.model.Schema`.

Handles the top level (`schema`/`search`, `document`, fields outside the document,
`fieldset`, `document-summary`, `import field`, `rank-profile`, `stemming`) and
delegates fields to :mod:`configserver.schema.fields` and rank profiles to
:mod:`configserver.schema.rankprofile`. A file holding only a `document` block is read
as a schema of the same name, as Vespa does. :func:`parse_profile_file` reads a
`schemas/<schema>/<profile>.profile` file, which holds one `rank-profile`. Every failure is an
:class:`~configserver.errors.InvalidApplicationPackageError` with `path:line:col`.
"""

from __future__ import annotations

from dataclasses import replace

from configserver.errors import InvalidApplicationPackageError
from configserver.schema.fields import FieldParser
from configserver.schema.lexer import Pos, Scanner
from configserver.schema.model import (
    Document,
    DocumentSummary,
    Fieldset,
    ImportField,
    RankProfile,
    Schema,
    SummaryField,
)
from configserver.schema.rankprofile import RankProfileParser

IGNORED_SCHEMA_ITEMS = frozenset({"raw-as-base64-in-summary", "index"})
UNSUPPORTED_SCHEMA_ITEMS = {
    "onnx-model": "onnx-model (no ONNX runtime)",
    "constant": "constant read from a file",
    "annotation": "annotation types",
    "model": "model",
}


def parse_schema(text: str | bytes, path: str = "schema.sd") -> Schema:
    """Parse one .sd file.

    Raises:
        InvalidApplicationPackageError: for syntax errors and unsupported constructs,
            with a message `path:line:col: ...`.
    """
    return _SchemaParser(Scanner(_decoded(text, path), path)).parse()


def parse_profile_file(
    text: str | bytes, path: str
) -> tuple[tuple[RankProfile, ...], tuple[str, ...]]:
    """Parse a `.profile` file: one `rank-profile` named like the file, which may hold
    nested profiles (named `outer.inner`, as Vespa names them). Returns the profiles
    (their ``path`` set to ``path``) and the warnings of accepted-but-ignored parts.

    Raises:
        InvalidApplicationPackageError: as :func:`parse_schema` does.
    """
    parser = _SchemaParser(Scanner(_decoded(text, path), path))
    return parser.profile_file(path.rsplit("/", 1)[-1].removesuffix(".profile"))


def _decoded(text: str | bytes, path: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidApplicationPackageError(
            [f"{path}:1:1: not UTF-8 text (byte {e.start} is invalid)"]
        ) from None


class _SchemaParser:
    def __init__(self, sc: Scanner) -> None:
        self.sc = sc
        self.warnings: list[str] = []
        self.fields = FieldParser(sc, self._warn)
        self.profiles = RankProfileParser(self.fields)

    def _warn(self, message: str, at: Pos) -> None:
        self.warnings.append(f"{self.sc.path}:{at.line}:{at.col}: {message}")

    def parse(self) -> Schema:
        sc = self.sc
        at = sc.where_next()
        kw = sc.peek_word()
        if kw == "document":
            sc.word()
            doc = self._document(at)
            schema = Schema(doc.name, sc.path, document=doc, pos=at)
        elif kw in ("schema", "search"):
            sc.word()
            schema = self._schema(at)
        else:
            found = f"'{kw}'" if kw else "'" + sc.peek() + "'" if sc.peek() else "end of file"
            raise sc.error(f"expected 'schema', got {found}", at)
        if not sc.at_end():
            raise sc.error(f"unexpected text after schema '{schema.name}'")
        return replace(schema, warnings=tuple(self.warnings))

    def profile_file(self, stem: str) -> tuple[tuple[RankProfile, ...], tuple[str, ...]]:
        sc = self.sc
        at = sc.where_next()
        kw = sc.peek_word()
        if kw != "rank-profile":
            found = f"'{kw}'" if kw else "'" + sc.peek() + "'" if sc.peek() else "end of file"
            raise sc.error(f"expected 'rank-profile', got {found}", at)
        sc.word()
        profile, *nested = self.profiles.parse_with_nested()
        if profile.name != stem:
            raise sc.error(
                f"rank-profile '{profile.name}' must be in a file named '{profile.name}.profile'"
                f", not '{stem}.profile'",
                profile.pos,
            )
        if not sc.at_end():
            raise sc.error(f"unexpected text after rank-profile '{profile.name}'")
        profiles = tuple(replace(p, path=sc.path) for p in (profile, *nested))
        return profiles, tuple(self.warnings)

    def _schema(self, at: Pos) -> Schema:
        sc = self.sc
        name = sc.word("a schema name")
        schema = Schema(name, sc.path, inherits=self.fields.inherits_list(), pos=at)
        sc.expect("{", f"after schema '{name}'")
        while not sc.accept("}"):
            where = sc.where_next()
            if sc.at_end():
                raise sc.error(f"schema '{name}' is not closed: expected '}}'", at)
            kw = sc.word(f"a schema item or '}}' in schema '{name}'")
            schema = self._item(schema, kw, where)
        return schema

    def _item(self, s: Schema, kw: str, at: Pos) -> Schema:
        sc = self.sc
        if kw == "document":
            if s.document is not None:
                raise sc.error(f"schema '{s.name}' has a second document", at)
            return replace(s, document=self._document(at, default_name=s.name))
        if kw == "field":
            return replace(s, fields=(*s.fields, self.fields.field()))
        if kw == "struct":
            return replace(s, structs=(*s.structs, self.fields.struct()))
        if kw == "fieldset":
            return replace(s, fieldsets=(*s.fieldsets, self._fieldset(at)))
        if kw == "document-summary":
            return replace(s, summaries=(*s.summaries, self._summary_class(at)))
        if kw == "rank-profile":
            return replace(s, rank_profiles=(*s.rank_profiles, self.profiles.parse()))
        if kw == "import":
            return replace(s, imports=(*s.imports, self._import(at)))
        if kw == "stemming":
            sc.expect(":", "after 'stemming'")
            return replace(s, stemming=sc.word("a stemming value", newlines=False))
        if kw in IGNORED_SCHEMA_ITEMS:
            sc.skip_setting()
            self._warn(f"'{kw}' in schema '{s.name}' is accepted and ignored", at)
            return s
        if kw in UNSUPPORTED_SCHEMA_ITEMS:
            raise sc.error(f"unsupported: {UNSUPPORTED_SCHEMA_ITEMS[kw]}", at)
        raise sc.error(f"unsupported '{kw}' in schema '{s.name}'", at)

    def _document(self, at: Pos, default_name: str = "") -> Document:
        sc = self.sc
        name = default_name
        if sc.peek_word() and sc.peek_word() != "inherits":
            name = sc.word("a document name")
        if not name:
            raise sc.error("document has no name", at)
        doc = Document(name, self.fields.inherits_list(), pos=at)
        sc.expect("{", f"after document '{name}'")
        while not sc.accept("}"):
            where = sc.where_next()
            kw = sc.word(f"'field', 'struct' or '}}' in document '{name}'")
            if kw == "field":
                doc = replace(doc, fields=(*doc.fields, self.fields.field()))
            elif kw == "struct":
                doc = replace(doc, structs=(*doc.structs, self.fields.struct()))
            elif kw == "compression":
                sc.skip_setting()
                self._warn("'compression' is accepted and ignored", where)
            elif kw == "annotation":
                raise sc.error("unsupported: annotation types", where)
            else:
                raise sc.error(f"unsupported '{kw}' in document '{name}'", where)
        return doc

    def _fieldset(self, at: Pos) -> Fieldset:
        sc = self.sc
        name = sc.word("a fieldset name")
        sc.expect("{", f"after fieldset '{name}'")
        names: list[str] = []
        while not sc.accept("}"):
            where = sc.where_next()
            kw = sc.word(f"'fields' in fieldset '{name}'")
            if kw == "fields":
                sc.expect(":", "after 'fields'")
                names.append(sc.word("a field name"))
                while sc.accept(",", newlines=False):
                    names.append(sc.word("a field name"))
            elif kw in ("query-command", "match"):
                sc.skip_setting()
                self._warn(f"'{kw}' in fieldset '{name}' is accepted and ignored", where)
            else:
                raise sc.error(f"unsupported '{kw}' in fieldset '{name}'", where)
        return Fieldset(name, tuple(names), at)

    def _summary_class(self, at: Pos) -> DocumentSummary:
        sc = self.sc
        name = sc.word("a document-summary name")
        summary = DocumentSummary(name, self.fields.inherits_list(), pos=at)
        sc.expect("{", f"after document-summary '{name}'")
        while not sc.accept("}"):
            where = sc.where_next()
            kw = sc.word(f"'summary' or 'from-disk' in document-summary '{name}'")
            if kw == "from-disk":
                summary = replace(summary, from_disk=True)
            elif kw == "summary":
                summary = replace(summary, fields=(*summary.fields, self._summary_field(where)))
            elif kw == "omit-summary-features":
                self._warn("'omit-summary-features' is accepted and ignored", where)
            else:
                raise sc.error(f"unsupported '{kw}' in document-summary '{name}'", where)
        return summary

    def _summary_field(self, at: Pos) -> SummaryField:
        sc = self.sc
        name = sc.word("a summary field name")
        tp = sc.type_text() if sc.keyword("type") else None
        sources: list[str] = []
        if sc.accept(":", newlines=False):
            sc.rest_of_line()
            self._warn(f"summary '{name}' settings are accepted and ignored", at)
            return SummaryField(name, tp, (), at)
        if sc.accept("{"):
            while not sc.accept("}"):
                where = sc.where_next()
                kw = sc.word(f"'source' in summary '{name}'")
                if kw == "source":
                    sc.expect(":", "after 'source'")
                    sources.append(sc.word("a source field"))
                    while sc.accept(",", newlines=False):
                        sources.append(sc.word("a source field"))
                elif kw in ("dynamic", "bolding", "full", "matched-elements-only", "tokens"):
                    sc.skip_setting()
                    self._warn(f"'{kw}' in summary '{name}' is accepted and ignored", where)
                else:
                    raise sc.error(f"unsupported '{kw}' in summary '{name}'", where)
        return SummaryField(name, tp, tuple(sources), at)

    def _import(self, at: Pos) -> ImportField:
        sc = self.sc
        if not sc.keyword("field"):
            raise sc.error("expected 'field' after 'import'")
        where = sc.where_next()
        ref = sc.word("reference_field.target_field")
        if "." not in ref:
            raise sc.error(f"expected reference_field.target_field, got '{ref}'", where)
        reference, target = ref.split(".", 1)
        if not sc.keyword("as"):
            raise sc.error("expected 'as' in import field")
        name = sc.word("the imported field's name")
        sc.expect("{", f"after import field '{name}'")
        sc.expect("}", f"in import field '{name}'")
        return ImportField(reference, target, name, at)
