"""RELAX NG grammars of the package's XML files, and validation with compiler-like errors.

`services.rng` and `hosts.rng` (package data beside this module) are the reference for
the subset of services.xml and hosts.xml that Vespid reads. :func:`validate` checks a
parsed file against one of them with lxml (libxml2) and turns libxml2's terse errors
into `path:line:col: ...` messages that name the element or attribute and say what was
expected, using the grammar itself to know which attributes are required and what
values they take:

    services.xml:4:7: unsupported <handler> in <container>: request handlers
    services.xml:9:11: <node> needs a 'distribution-key' attribute
    services.xml:7:9: attribute 'port' of <server> must be an integer from 1 to 65535, got 'x'
"""

from __future__ import annotations

from configserver.apppackage.grammar.validator import Grammar, validate

__all__ = ["Grammar", "validate"]
