"""Read a whole application package from its files: services.xml, hosts.xml, schemas.

Every file is read even when an earlier one failed, so the user sees all syntax errors
at once; then one :class:`InvalidApplicationPackageError` carries them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from configserver.apppackage.hosts import HostsSpec, read_hosts
from configserver.apppackage.profiles import add_profile_files
from configserver.apppackage.services import ServicesReader, ServicesSpec
from configserver.apppackage.xml import XmlFile
from configserver.errors import InvalidApplicationPackageError
from configserver.schema.model import Schema
from configserver.schema.parser import parse_schema

SCHEMA_DIRS = ("schemas/", "searchdefinitions/")
IGNORED_FILES = (
    ("search/query-profiles/", "query profiles are not supported; the file is ignored"),
    ("deployment.xml", "deployment.xml is ignored (no zones or instances when self-hosted)"),
    ("models/", "machine-learned models are not supported; the file is ignored"),
    ("constants/", "constant files are not supported; the file is ignored"),
    ("components/", "Java components are not supported; the file is ignored"),
)


@dataclass(frozen=True, slots=True)
class ApplicationPackage:
    """The parsed files of a package, not yet cross-checked."""

    services: ServicesSpec
    hosts: HostsSpec | None
    """None when the package has no hosts.xml (every alias is then localhost)."""
    schemas: tuple[Schema, ...]
    warnings: tuple[str, ...] = ()


def schema_paths(files: Mapping[str, bytes]) -> list[str]:
    """Return the package paths of the schema files, sorted."""
    return sorted(
        p for p in files if p.endswith(".sd") and p.startswith(SCHEMA_DIRS) and p.count("/") == 1
    )


def ignored_file_warnings(files: Mapping[str, bytes]) -> list[str]:
    """Return a warning for each package file Vespid reads nothing from but Vespa would."""
    warnings = []
    for path in sorted(files):
        if path.endswith(".sd") and path not in schema_paths(files):
            warnings.append(f"{path}:1:1: schema files are read only from schemas/; ignored")
            continue
        for prefix, message in IGNORED_FILES:
            if path.startswith(prefix):
                warnings.append(f"{path}:1:1: {message}")
    return warnings


def read_package(files: Mapping[str, bytes]) -> ApplicationPackage:
    """Parse services.xml, hosts.xml and every schema of the package.

    Raises:
        InvalidApplicationPackageError: with every syntax or structure error found.
    """
    errors: list[str] = []
    warnings: list[str] = []
    services = ServicesSpec()
    if "services.xml" not in files:
        errors.append("services.xml:1:1: the application package has no services.xml")
    else:
        try:
            reader = ServicesReader(XmlFile(files["services.xml"], "services.xml"))
            services = reader.read()
            errors.extend(reader.errors)
            warnings.extend(reader.warnings)
        except InvalidApplicationPackageError as e:
            errors.extend(e.messages)
    hosts = None
    if "hosts.xml" in files:
        try:
            hosts = read_hosts(XmlFile(files["hosts.xml"], "hosts.xml"), errors)
        except InvalidApplicationPackageError as e:
            errors.extend(e.messages)
    schemas: list[Schema] = []
    for path in schema_paths(files):
        try:
            schema = parse_schema(files[path], path)
        except InvalidApplicationPackageError as e:
            errors.extend(e.messages)
            continue
        schemas.append(schema)
        warnings.extend(schema.warnings)
    schemas = add_profile_files(files, schemas, SCHEMA_DIRS, errors, warnings)
    warnings.extend(ignored_file_warnings(files))
    if errors:
        raise InvalidApplicationPackageError(errors)
    return ApplicationPackage(services, hosts, tuple(schemas), tuple(warnings))
