"""Validation of application packages: one small validator per rule, then fail once.

:func:`validate` runs every rule in :data:`RULES` over the package and raises a single
:class:`~configserver.errors.InvalidApplicationPackageError` listing all problems.
"""

from __future__ import annotations

from configserver.errors import InvalidApplicationPackageError
from configserver.validation.context import ValidationContext, Validator
from configserver.validation.expression_rules import (
    expressions_parse,
    input_and_constant_types,
)
from configserver.validation.schema_rules import (
    field_types_supported,
    fieldset_fields_exist,
    imports_unsupported,
    indexing_executable,
    schema_file_names,
    schema_names_unique,
    struct_fields_supported,
    struct_parents_exist,
    summary_fields_exist,
)
from configserver.validation.services_rules import (
    cluster_ids_unique,
    container_ports_unique,
    distribution_keys_unique,
    document_types_have_schemas,
    document_types_stored_once,
    host_aliases_exist,
)

RULES: tuple[Validator, ...] = (
    document_types_have_schemas,
    document_types_stored_once,
    host_aliases_exist,
    distribution_keys_unique,
    cluster_ids_unique,
    container_ports_unique,
    schema_file_names,
    schema_names_unique,
    field_types_supported,
    struct_parents_exist,
    struct_fields_supported,
    fieldset_fields_exist,
    summary_fields_exist,
    indexing_executable,
    imports_unsupported,
    expressions_parse,
    input_and_constant_types,
)


def validate(ctx: ValidationContext) -> None:
    """Run every rule; raise once if any reported a problem (or the context has some)."""
    for rule in RULES:
        rule(ctx)
    if ctx.messages:
        raise InvalidApplicationPackageError(ctx.messages)


__all__ = ["RULES", "ValidationContext", "Validator", "validate"]
