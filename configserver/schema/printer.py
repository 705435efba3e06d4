"""Print a :class:`~configserver.schema.model.Schema` back as .sd text.

The output parses to an equal model (`parse_schema(print_schema(s)) == s`), which the
property tests check. Settings that the parser accepts and ignores are not in the
model, so they are not printed.
"""

from __future__ import annotations

import json

from configserver.schema.model import (
    Document,
    DocumentSummary,
    Features,
    Field,
    Phase,
    RankProfile,
    Schema,
    Struct,
)

_INDENT = "    "


def print_schema(schema: Schema) -> str:
    """Return .sd text for ``schema``."""
    out: list[str] = []
    head = f"schema {schema.name}{_inherits(schema.inherits)} {{"
    out.append(head)
    if schema.stemming is not None:
        out.append(f"{_INDENT}stemming: {schema.stemming}")
    if schema.document is not None:
        out.extend(_document(schema.document, 1))
    for struct in schema.structs:
        out.extend(_struct(struct, 1))
    for f in schema.fields:
        out.extend(_field(f, 1))
    for imp in schema.imports:
        out.append(f"{_INDENT}import field {imp.reference}.{imp.target} as {imp.name} {{}}")
    for fs in schema.fieldsets:
        out.append(f"{_INDENT}fieldset {fs.name} {{")
        out.append(f"{_INDENT * 2}fields: {', '.join(fs.fields)}")
        out.append(f"{_INDENT}}}")
    for summary in schema.summaries:
        out.extend(_summary(summary))
    for profile in schema.rank_profiles:
        out.extend(_profile(profile))
    out.append("}")
    return "\n".join(out) + "\n"


def _inherits(names: tuple[str, ...]) -> str:
    return f" inherits {', '.join(names)}" if names else ""


def _document(doc: Document, depth: int) -> list[str]:
    ind = _INDENT * depth
    out = [f"{ind}document {doc.name}{_inherits(doc.inherits)} {{"]
    for struct in doc.structs:
        out.extend(_struct(struct, depth + 1))
    for f in doc.fields:
        out.extend(_field(f, depth + 1))
    out.append(f"{ind}}}")
    return out


def _struct(struct: Struct, depth: int) -> list[str]:
    ind = _INDENT * depth
    out = [f"{ind}struct {struct.name}{_inherits(struct.inherits)} {{"]
    for f in struct.fields:
        out.extend(_field(f, depth + 1))
    out.append(f"{ind}}}")
    return out


def _field(f: Field, depth: int, keyword: str = "field") -> list[str]:
    ind, inner = _INDENT * depth, _INDENT * (depth + 1)
    type_part = f" type {f.type}" if f.type else ""
    out = [f"{ind}{keyword} {f.name}{type_part} {{"]
    if f.indexing is not None:
        out.append(f"{inner}indexing {{ {f.indexing} }}")
    if f.attribute or f.distance_metric:
        out.append(f"{inner}attribute {{")
        out.extend(f"{inner}{_INDENT}{a}" for a in f.attribute)
        if f.distance_metric:
            out.append(f"{inner}{_INDENT}distance-metric: {f.distance_metric}")
        out.append(f"{inner}}}")
    if f.enable_bm25 or f.hnsw is not None:
        out.append(f"{inner}index {{")
        if f.enable_bm25:
            out.append(f"{inner}{_INDENT}enable-bm25")
        if f.hnsw is not None:
            out.append(
                f"{inner}{_INDENT}hnsw {{ max-links-per-node: {f.hnsw.max_links_per_node}\n"
                f"{inner}{_INDENT * 2}neighbors-to-explore-at-insert: "
                f"{f.hnsw.neighbors_to_explore_at_insert} }}"
            )
        out.append(f"{inner}}}")
    out.extend(_match(f, inner))
    if f.stemming is not None:
        out.append(f"{inner}stemming: {f.stemming}")
    if f.normalizing is not None:
        out.append(f"{inner}normalizing: {f.normalizing}")
    if f.rank_filter:
        out.append(f"{inner}rank: filter")
    for sub in f.struct_fields:
        out.extend(_field(sub, depth + 1, "struct-field"))
    out.append(f"{ind}}}")
    return out


def _match(f: Field, inner: str) -> list[str]:
    items = [] if f.match is None else [f.match]
    if f.gram_size is not None:
        items.append(f"gram-size: {f.gram_size}")
    if f.exact_terminator is not None:
        items.append(f"exact-terminator: {json.dumps(f.exact_terminator)}")
    if not items:
        return []
    return [f"{inner}match {{", *(f"{inner}{_INDENT}{i}" for i in items), f"{inner}}}"]


def _summary(summary: DocumentSummary) -> list[str]:
    ind = _INDENT
    out = [f"{ind}document-summary {summary.name}{_inherits(summary.inherits)} {{"]
    if summary.from_disk:
        out.append(f"{ind * 2}from-disk")
    for sf in summary.fields:
        type_part = f" type {sf.type}" if sf.type else ""
        source = f" {{ source: {', '.join(sf.sources)} }}" if sf.sources else ""
        out.append(f"{ind * 2}summary {sf.name}{type_part}{source}")
    out.append(f"{ind}}}")
    return out


def _profile(p: RankProfile) -> list[str]:
    i1, i2, i3 = _INDENT, _INDENT * 2, _INDENT * 3
    out = [f"{i1}rank-profile {p.name}{_inherits(p.inherits)} {{"]
    if p.inputs:
        out.append(f"{i2}inputs {{")
        for inp in p.inputs:
            default = f": {inp.default}" if inp.default is not None else ""
            out.append(f"{i3}query({inp.name}) {inp.type}{default}")
        out.append(f"{i2}}}")
    if p.constants:
        out.append(f"{i2}constants {{")
        out.extend(f"{i3}{c.name} {c.type}: {c.value}" for c in p.constants)
        out.append(f"{i2}}}")
    for fn in p.functions:
        out.append(f"{i2}function {fn.name}({', '.join(fn.arguments)}) {{")
        out.append(f"{i3}expression {{ {fn.expression.text} }}")
        out.append(f"{i2}}}")
    for kw, phase in (
        ("first-phase", p.first_phase),
        ("second-phase", p.second_phase),
        ("global-phase", p.global_phase),
    ):
        if phase is not None:
            out.extend(_phase(kw, phase))
    for kw, features in (
        ("match-features", p.match_features),
        ("summary-features", p.summary_features),
        ("rank-features", p.rank_features),
    ):
        if features is not None:
            out.append(_features(kw, features))
    if p.ignore_default_rank_features:
        out.append(f"{i2}ignore-default-rank-features")
    if p.rank_properties:
        out.append(f"{i2}rank-properties {{")
        out.extend(f"{i3}{k}: {json.dumps(v)}" for k, v in p.rank_properties)
        out.append(f"{i2}}}")
    for kw, value in (
        ("approximate-threshold", p.approximate_threshold),
        ("post-filter-threshold", p.post_filter_threshold),
        ("target-hits-max-adjustment-factor", p.target_hits_max_adjustment_factor),
        ("num-threads-per-search", p.num_threads_per_search),
    ):
        if value is not None:
            out.append(f"{i2}{kw}: {value!r}")
    out.append(f"{i1}}}")
    return out


def _phase(kw: str, phase: Phase) -> list[str]:
    i2, i3 = _INDENT * 2, _INDENT * 3
    out = [f"{i2}{kw} {{"]
    if phase.expression is not None:
        out.append(f"{i3}expression {{ {phase.expression.text} }}")
    for name, value in (
        ("keep-rank-count", phase.keep_rank_count),
        ("rank-score-drop-limit", phase.rank_score_drop_limit),
        ("rerank-count", phase.rerank_count),
    ):
        if value is not None:
            out.append(f"{i3}{name}: {value!r}")
    out.append(f"{i2}}}")
    return out


def _features(kw: str, features: Features) -> str:
    return f"{_INDENT * 2}{kw}{_inherits(features.inherits)} {{ {' '.join(features.features)} }}"
