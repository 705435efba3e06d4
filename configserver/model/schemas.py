"""Derive a :class:`vespid.config.SchemaConfig` from a resolved schema.

Field flags come from the indexing statements of all fields (a statement may write
to another field with `summary other`); matching, stemming and HNSW settings from the
field's own settings, with Vespa's defaults. Expects a validated package: targets of
indexing outputs exist and every statement is executable.
"""

from __future__ import annotations

from collections.abc import Sequence

from configserver.model.ranking import flatten_profiles
from configserver.schema.analysis import IndexingAnalysis, analyse, analyses
from configserver.schema.model import DocumentSummary, Field, Struct
from configserver.schema.resolve import ResolvedSchema
from configserver.schema.struct_fields import struct_field_declarations
from vespid.config import (
    DocumentSummaryConfig,
    FieldConfig,
    FieldsetConfig,
    HnswConfig,
    SchemaConfig,
    StructConfig,
)

TEXT_TYPES = ("string", "array<string>", "weightedset<string>")


def derive_schema(schema: ResolvedSchema, is_global: bool, errors: list[str]) -> SchemaConfig:
    """Return the config of ``schema``; rank-profile problems are appended to ``errors``."""
    flags: dict[str, set[str]] = {}
    plans = analyses(schema)
    for plan in plans.values():
        for target, kinds in plan.outputs.items():
            flags.setdefault(target, set()).update(kinds)
    document = {f.name for f in schema.document_fields}
    fields = tuple(
        _field(f, flags.get(f.name, set()), plans.get(f.name), f.name in document, schema)
        for f in schema.all_fields()
    ) + _struct_field_attributes(schema)
    return SchemaConfig(
        name=schema.name,
        fields=fields,
        fieldsets=tuple(FieldsetConfig(s.name, s.fields) for s in schema.fieldsets),
        rank_profiles=flatten_profiles(schema, errors),
        document_summaries=_summaries(schema.summaries, {f.name for f in fields}),
        global_=is_global,
        structs=_structs(schema.structs),
    )


def _structs(structs: Sequence[Struct]) -> tuple[StructConfig, ...]:
    """Return the struct types with inherited struct fields merged in (parents first)."""
    by_name = {s.name: s for s in structs}

    def fields_of(s: Struct, seen: tuple[str, ...]) -> list[Field]:
        fields: list[Field] = []
        for parent in s.inherits:
            if parent in by_name and parent not in seen:
                fields += fields_of(by_name[parent], (*seen, s.name))
        return fields + [f for f in s.fields if all(g.name != f.name for g in fields)]

    return tuple(
        StructConfig(s.name, tuple(FieldConfig(f.name, f.type) for f in fields_of(s, ())))
        for s in structs
    )


def _struct_field_attributes(schema: ResolvedSchema) -> tuple[FieldConfig, ...]:
    """Vespa's array attribute per `struct-field x { indexing: attribute }`: `persons.x`.

    Each holds the struct field of every element, in element order, so that
    `sameElement` can line the elements of sibling struct fields up.
    """
    out: list[FieldConfig] = []
    for d in struct_field_declarations(schema):
        script = d.declaration.indexing
        if script is None or d.type is None:
            continue
        flags = set().union(*analyse(script, d.declaration.name).outputs.values())
        if "attribute" not in flags:
            continue
        out.append(
            FieldConfig(
                name=d.name,
                type=f"array<{d.type}>",
                attribute=True,
                in_document=False,
                source=d.parent.name,
                struct_field=d.path,
                fast_search="fast-search" in d.declaration.attribute,
                fast_access="fast-access" in d.declaration.attribute,
                paged="paged" in d.declaration.attribute,
                match=d.declaration.match or "text",
                stemming="none",
            )
        )
    return tuple(out)


def _field(
    f: Field,
    flags: set[str],
    plan: IndexingAnalysis | None,
    in_document: bool,
    schema: ResolvedSchema,
) -> FieldConfig:
    is_text = f.type in TEXT_TYPES and f.match in (None, "text")
    stemming = f.stemming or schema.schema.stemming or ("best" if is_text else "none")
    source = ""
    if plan is not None and not in_document and plan.sources and plan.sources[0] != f.name:
        source = plan.sources[0]
    hnsw = None
    if f.hnsw is not None and "index" in flags:
        hnsw = HnswConfig(f.hnsw.max_links_per_node, f.hnsw.neighbors_to_explore_at_insert)
    return FieldConfig(
        name=f.name,
        type=f.type,
        attribute="attribute" in flags,
        index="index" in flags,
        summary="summary" in flags,
        in_document=in_document,
        source=source,
        fast_search="fast-search" in f.attribute,
        fast_access="fast-access" in f.attribute,
        paged="paged" in f.attribute,
        match=f.match or "text",
        gram_size=f.gram_size or 2,
        exact_terminator=f.exact_terminator or "",
        stemming="best" if stemming == "default" else stemming,
        normalizing=f.normalizing != "none",
        lowercase=plan is not None and plan.lowercase,
        enable_bm25=f.enable_bm25,
        rank_filter=f.rank_filter,
        distance_metric=f.distance_metric or "euclidean",
        hnsw=hnsw,
    )


def _summaries(
    summaries: Sequence[DocumentSummary], field_names: set[str]
) -> tuple[DocumentSummaryConfig, ...]:
    by_name = {s.name: s for s in summaries}
    out: list[DocumentSummaryConfig] = []

    def names_of(s: DocumentSummary, seen: tuple[str, ...]) -> list[str]:
        names: list[str] = []
        for parent in s.inherits:
            if parent in by_name and parent not in seen:
                names += names_of(by_name[parent], (*seen, s.name))
        for sf in s.fields:
            name = sf.name if sf.name in field_names or not sf.sources else sf.sources[0]
            if name not in names:
                names.append(name)
        return names

    for s in summaries:
        from_disk = s.from_disk or any(by_name[p].from_disk for p in s.inherits if p in by_name)
        out.append(DocumentSummaryConfig(s.name, tuple(names_of(s, ())), from_disk))
    return tuple(out)
