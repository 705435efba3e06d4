"""Application packages on disk: check the layout and zip them for the deploy API.

The zip has its entries at the archive root (``services.xml``, ``schemas/music.sd``),
like the vespa CLI and pyvespa send it. Hidden files and directories (``.git``,
editor droppings) are left out.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from vespid.cli.errors import CliError


def package_files(app_dir: Path) -> list[Path]:
    """The files of the package in ``app_dir``, relative to it, sorted.

    Raises:
        CliError: when ``app_dir`` is not a directory with a services.xml.
    """
    if not app_dir.is_dir():
        raise CliError(f"Application package {app_dir} is not a directory")
    if not (app_dir / "services.xml").is_file():
        raise CliError(f"Application package {app_dir} has no services.xml")
    files = []
    for path in sorted(app_dir.rglob("*")):
        relative = path.relative_to(app_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        files.append(relative)
    return files


def zip_package(app_dir: Path) -> bytes:
    """Return the package in ``app_dir`` as zip bytes for ``Content-Type: application/zip``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in package_files(app_dir):
            archive.write(app_dir / relative, relative.as_posix())
    return buffer.getvalue()
