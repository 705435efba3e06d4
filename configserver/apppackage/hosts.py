"""hosts.xml → a mapping from host alias to host name.

`<hosts><host name="node1.example.com"><alias>node1</alias></host></hosts>`, validated
against `grammar/hosts.rng`; the reader adds the check a grammar cannot make (every
alias is defined once). Without a hosts.xml every alias means `localhost` (the package
loader decides that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from configserver.apppackage.grammar import Grammar, validate
from configserver.apppackage.xml import Where, XmlFile, children, text_of


@dataclass(frozen=True, slots=True)
class HostsSpec:
    """Host aliases and the host name each stands for."""

    aliases: dict[str, str] = field(default_factory=dict)


LOCALHOST = "localhost"


def host_for(hosts: HostsSpec | None, alias: str) -> str:
    """Return the host name of ``alias``: localhost without hosts.xml or without an alias."""
    if hosts is None or not alias:
        return LOCALHOST
    return hosts.aliases.get(alias, LOCALHOST)


def read_hosts(xml: XmlFile, errors: list[str]) -> HostsSpec:
    """Read hosts.xml; grammar errors and aliases defined twice are appended to ``errors``."""
    grammar_errors = validate(xml, Grammar("hosts.rng"), {})
    if grammar_errors:
        errors.extend(grammar_errors)
        return HostsSpec()
    aliases: dict[str, str] = {}
    first_seen: dict[str, Where] = {}
    for host in children(xml.root):
        name = host.get("name", "").strip()
        for alias_el in children(host):
            alias = text_of(alias_el)
            where = xml.where(alias_el)
            if alias in first_seen:
                errors.append(f"{where}: alias '{alias}' is already defined at {first_seen[alias]}")
            else:
                aliases[alias] = name
                first_seen[alias] = where
    return HostsSpec(aliases)
