"""Rank profiles in their own files: `schemas/<schema>/[<subdirectory>/]<profile>.profile`.

Vespa lets a schema's rank profiles live in a directory named like the schema (and its
subdirectories), one per file, each file holding one `rank-profile <profile> { ... }`
named like the file, which may nest further profiles (`<profile>.<inner>`). They join
the profiles of the schema whose file is `schemas/<schema>.sd`; errors in them name the
`.profile` file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from configserver.errors import InvalidApplicationPackageError
from configserver.schema.model import Schema
from configserver.schema.parser import parse_profile_file

PROFILE_SUFFIX = ".profile"


def profile_paths(files: Mapping[str, bytes], schema_dirs: Sequence[str]) -> list[str]:
    """Return the package paths of `.profile` files under a directory of a schema directory."""
    return sorted(
        p
        for p in files
        if p.endswith(PROFILE_SUFFIX) and p.startswith(tuple(schema_dirs)) and p.count("/") >= 2
    )


def add_profile_files(
    files: Mapping[str, bytes],
    schemas: Sequence[Schema],
    schema_dirs: Sequence[str],
    errors: list[str],
    warnings: list[str],
) -> list[Schema]:
    """Return ``schemas`` with the rank profiles of their `.profile` files added.

    Problems go to ``errors`` (a file that does not parse, or whose directory names no
    schema of the package), accepted-but-ignored parts to ``warnings``.
    """
    result = list(schemas)
    by_dir = {s.path.removesuffix(".sd") + "/": i for i, s in enumerate(result)}
    for path in profile_paths(files, schema_dirs):
        directory = "/".join(path.split("/")[:2]) + "/"
        index = by_dir.get(directory)
        if index is None:
            errors.append(
                f"{path}:1:1: rank profile file in '{directory}', but there is no schema "
                f"file '{directory.removesuffix('/')}.sd'"
            )
            continue
        try:
            profiles, profile_warnings = parse_profile_file(files[path], path)
        except InvalidApplicationPackageError as e:
            errors.extend(e.messages)
            continue
        warnings.extend(profile_warnings)
        schema = result[index]
        result[index] = replace(schema, rank_profiles=(*schema.rank_profiles, *profiles))
    return result
