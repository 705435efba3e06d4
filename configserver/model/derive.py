"""`derive_application`: application package files → the config of every service kind.

The contract is in docs/internals.md ("Deriving config"): parse every file, resolve
inheritance, run every validator, then build `ContentConfig`, `ContainerConfig` and
`NodeAgentConfig` for the session's generation. All problems of a step are reported
together in one :class:`InvalidApplicationPackageError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from configserver.apppackage.package import read_package
from configserver.errors import InvalidApplicationPackageError
from configserver.model.expressions import check_rank_expressions
from configserver.model.schemas import derive_schema
from configserver.model.topology import (
    container_clusters,
    content_clusters,
    port_conflicts,
    services_of,
)
from configserver.schema.resolve import resolve_schemas
from configserver.validation import ValidationContext, validate
from vespid.config import ContainerConfig, ContentConfig, NodeAgentConfig, SchemaConfig


@dataclass(frozen=True, slots=True)
class DerivedApplication:
    """The config documents derived from one application package."""

    content: ContentConfig
    container: ContainerConfig
    node: NodeAgentConfig
    warnings: list[str] = field(default_factory=list)
    """Accepted-but-ignored parts of the package, reported in the deploy answer's log."""


def derive_application(
    files: Mapping[str, bytes],
    generation: int,
    previous: NodeAgentConfig | None,
    allocate_port: Callable[[], int],
) -> DerivedApplication:
    """Derive every service's config from the package ``files`` (path → bytes).

    Raises:
        InvalidApplicationPackageError: with every problem, each `path:line:col: text`.
    """
    package = read_package(files)
    errors: list[str] = []
    schemas = resolve_schemas(package.schemas, errors)
    ctx = ValidationContext(package, schemas, errors)
    validate(ctx)
    global_types = {d.type for c in package.services.contents for d in c.documents if d.global_}
    schema_configs: list[SchemaConfig] = []
    for s in schemas:
        if s.schema.document is not None:
            config = derive_schema(s, s.name in global_types, errors)
            errors += check_rank_expressions(s, config)
            schema_configs.append(config)
    warnings = list(package.warnings)
    containers = container_clusters(package)
    contents = content_clusters(package, previous, allocate_port, warnings)
    services = services_of(containers, contents)
    errors += port_conflicts(services, package.services)
    if errors:
        raise InvalidApplicationPackageError(errors)
    return DerivedApplication(
        content=ContentConfig(generation, contents, tuple(schema_configs)),
        container=ContainerConfig(generation, containers, contents, tuple(schema_configs)),
        node=NodeAgentConfig(generation, services),
        warnings=warnings,
    )
