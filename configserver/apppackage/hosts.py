"""hosts.xml → a mapping from host alias to host name.

`<hosts><host name="node1.example.com"><alias>node1</alias></host></hosts>`. Without a
hosts.xml every alias means `localhost` (the package loader decides that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """Read hosts.xml; structural problems are appended to ``errors``."""
    root = xml.root
    if root.tag != "hosts":
        errors.append(xml.error(root, f"expected root element <hosts>, got <{root.tag}>"))
        return HostsSpec()
    aliases: dict[str, str] = {}
    first_seen: dict[str, Where] = {}
    for host in children(root):
        if host.tag != "host":
            errors.append(xml.error(host, f"unsupported element <{host.tag}> in <hosts>"))
            continue
        name = (host.get("name") or "").strip()
        if not name:
            errors.append(xml.error(host, "<host> needs a name attribute"))
        for alias_el in children(host):
            if alias_el.tag != "alias":
                errors.append(
                    xml.error(alias_el, f"unsupported element <{alias_el.tag}> in <host>")
                )
                continue
            alias = text_of(alias_el)
            where = xml.where(alias_el)
            if not alias:
                errors.append(f"{where}: empty <alias>")
            elif alias in first_seen:
                errors.append(f"{where}: alias '{alias}' is already defined at {first_seen[alias]}")
            else:
                aliases[alias] = name
                first_seen[alias] = where
    return HostsSpec(aliases)
