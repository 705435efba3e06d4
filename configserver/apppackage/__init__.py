"""Reading application packages: services.xml and hosts.xml (safely, with lxml) and schemas."""

from __future__ import annotations

from configserver.apppackage.package import ApplicationPackage, read_package

__all__ = ["ApplicationPackage", "read_package"]
