"""Checks of the schemas themselves, one rule per function."""

from __future__ import annotations

import re

from configserver.schema.analysis import analyse, analyses
from configserver.schema.struct_fields import struct_field_declarations
from configserver.validation.context import ValidationContext
from vespid.tensor_type import TensorTypeError, parse_tensor_type

PRIMITIVE_TYPES = frozenset(
    {"string", "int", "long", "float", "double", "bool", "byte", "position", "uri", "raw"}
)
_TENSOR = re.compile(r"tensor\s*[<(]")
UNSUPPORTED_TYPES = {"predicate": "predicate fields", "annotationreference": "annotations"}


def schema_file_names(ctx: ValidationContext) -> None:
    """Schema `x` lives in `schemas/x.sd` (Vespa requires the names to match)."""
    for s in ctx.schemas:
        stem = s.path.rsplit("/", 1)[-1].removesuffix(".sd")
        if stem != s.name:
            ctx.report(
                f"{s.at(s.schema.pos)}: schema '{s.name}' must be in a file "
                f"named '{s.name}.sd', not '{stem}.sd'"
            )


def schema_names_unique(ctx: ValidationContext) -> None:
    """No two schema files declare the same schema."""
    seen: dict[str, str] = {}
    for s in ctx.schemas:
        if s.name in seen:
            ctx.report(
                f"{s.at(s.schema.pos)}: schema '{s.name}' is already declared in {seen[s.name]}"
            )
        seen.setdefault(s.name, s.path)


def field_types_supported(ctx: ValidationContext) -> None:
    """Every field type is one Vespid can store."""
    documents = {s.name for s in ctx.schemas}
    for s in ctx.schemas:
        structs = {st.name for st in s.structs}
        for f in s.own_fields():
            problem = type_problem(f.type, structs, documents)
            if problem:
                ctx.report(f"{s.at(f.pos)}: field '{f.name}': {problem}")


def type_problem(text: str, structs: set[str], documents: set[str]) -> str:
    """Return what is wrong with type ``text``, or '' when it is supported."""
    if text in PRIMITIVE_TYPES or text in structs:
        return ""
    if _TENSOR.match(text):
        return tensor_type_problem(text)
    name, _, rest = text.partition("<")
    if name in UNSUPPORTED_TYPES:
        return f"unsupported type '{text}': Vespid has no {UNSUPPORTED_TYPES[name]}"
    if not rest.endswith(">"):
        return f"unknown type '{text}'"
    args = split_type_args(rest[:-1])
    if name == "reference":
        target = args[0] if len(args) == 1 else ""
        return "" if target in documents else f"reference to unknown document type '{target}'"
    expected = {"array": 1, "weightedset": 1, "map": 2}.get(name)
    if expected is None:
        return f"unknown type '{text}'"
    if len(args) != expected:
        return f"'{name}' takes {expected} type argument(s), got {len(args)} in '{text}'"
    for arg in args:
        problem = type_problem(arg, structs, documents)
        if problem:
            return problem
    return ""


def tensor_type_problem(text: str) -> str:
    """Return what is wrong with tensor type ``text``, or '' when it is valid."""
    try:
        parse_tensor_type(text)
    except TensorTypeError as e:
        return f"invalid tensor type '{text}': {e}"
    return ""


def split_type_args(text: str) -> list[str]:
    """Split `string,array<int>` at top-level commas."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "<(") - (ch in ">)")
        if ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return args


def struct_parents_exist(ctx: ValidationContext) -> None:
    """A struct inherits only structs that exist."""
    for s in ctx.schemas:
        names = {st.name for st in s.structs}
        own = (*(s.schema.document.structs if s.schema.document else ()), *s.schema.structs)
        for struct in own:
            for parent in struct.inherits:
                if parent not in names:
                    ctx.report(
                        f"{s.at(struct.pos)}: struct '{struct.name}' inherits unknown "
                        f"struct '{parent}'"
                    )
            for f in struct.fields:
                problem = type_problem(f.type, names, {x.name for x in ctx.schemas})
                if problem:
                    ctx.report(f"{s.at(f.pos)}: struct '{struct.name}' field '{f.name}': {problem}")


def fieldset_fields_exist(ctx: ValidationContext) -> None:
    """Every field named in a fieldset exists."""
    for s in ctx.schemas:
        names = {f.name for f in s.all_fields()}
        for fs in s.schema.fieldsets:
            for name in fs.fields:
                if name not in names:
                    ctx.report(f"{s.at(fs.pos)}: fieldset '{fs.name}' names unknown field '{name}'")


def summary_fields_exist(ctx: ValidationContext) -> None:
    """Every field of a document-summary, or its source, exists; parents exist."""
    for s in ctx.schemas:
        names = {f.name for f in s.all_fields()}
        classes = {d.name for d in s.summaries}
        for summary in s.schema.summaries:
            for parent in summary.inherits:
                if parent not in classes and parent != "default":
                    ctx.report(
                        f"{s.at(summary.pos)}: document-summary '{summary.name}' "
                        f"inherits unknown document-summary '{parent}'"
                    )
            for sf in summary.fields:
                for name in sf.sources or (sf.name,):
                    if name not in names:
                        ctx.report(
                            f"{s.at(sf.pos)}: document-summary '{summary.name}' "
                            f"names unknown field '{name}'"
                        )


def indexing_executable(ctx: ValidationContext) -> None:
    """Indexing statements use only what Vespid executes and name existing fields."""
    for s in ctx.schemas:
        fields = {f.name: f for f in s.all_fields()}
        document = {f.name for f in s.document_fields}
        own = {f.name for f in s.own_fields()}
        for name, plan in analyses(s).items():
            if name not in own:
                continue
            f = fields[name]
            for pos, what in plan.unsupported:
                where = s.at(pos) if pos else s.at(f.pos)
                ctx.report(f"{where}: unsupported indexing expression {what} in field '{name}'")
            for target in plan.outputs:
                if target not in fields:
                    ctx.report(
                        f"{s.at(f.pos)}: indexing of field '{name}' writes to "
                        f"unknown field '{target}'"
                    )
            for source in plan.sources:
                if source not in document:
                    ctx.report(
                        f"{s.at(f.pos)}: indexing of field '{name}' reads "
                        f"'input {source}', which is not a document field"
                    )
            if name not in document and not plan.sources and plan.outputs:
                ctx.report(
                    f"{s.at(f.pos)}: field '{name}' is outside the document, so its "
                    f"indexing must read a document field with 'input <field>'"
                )


def imports_unsupported(ctx: ValidationContext) -> None:
    """`import field` needs parent/child documents, which Vespid does not have."""
    for s in ctx.schemas:
        for imp in s.schema.imports:
            ctx.report(
                f"{s.at(imp.pos)}: unsupported: import field '{imp.name}' (parent/child documents)"
            )


ATTRIBUTE_ELEMENT_TYPES = frozenset({"string", "int", "long", "byte", "bool", "float", "double"})
"""Types a struct-field attribute can hold (Vespa: primitive types only)."""


def struct_fields_supported(ctx: ValidationContext) -> None:
    """A `struct-field` names a field of the elements, and is at most an attribute.

    Vespa's indexed mode keeps struct fields only as attributes of arrays of structs
    and maps; `index` on a struct field is for streaming search, which Vespid does not
    have.
    """
    for s in ctx.schemas:
        own = {f.name for f in s.own_fields()}
        for d in struct_field_declarations(s):
            if d.parent.name not in own:
                continue
            where = s.at(d.declaration.pos)
            if d.type is None:
                ctx.report(
                    f"{where}: field '{d.parent.name}' of type {d.parent.type} has no "
                    f"struct field '{d.path}'"
                )
                continue
            if d.declaration.indexing is None:
                continue
            plan = analyse(d.declaration.indexing, d.declaration.name)
            for pos, what in plan.unsupported:
                ctx.report(
                    f"{s.at(pos) if pos else where}: unsupported indexing expression "
                    f"{what} in struct-field '{d.name}'"
                )
            kinds = set().union(*plan.outputs.values()) if plan.outputs else set()
            if "index" in kinds or set(plan.outputs) - {d.declaration.name} or plan.sources:
                ctx.report(
                    f"{where}: unsupported indexing of struct-field '{d.name}': struct "
                    "fields can only be 'attribute' and 'summary'"
                )
            elif "attribute" in kinds and (
                d.element_container == "" or d.type not in ATTRIBUTE_ELEMENT_TYPES
            ):
                ctx.report(
                    f"{where}: struct-field '{d.name}' cannot be an attribute: only primitive "
                    "fields of array<struct> and map fields can"
                )
