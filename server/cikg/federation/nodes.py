"""The hub's node list (``nodes.yaml``): which nodes a federated query goes to, and how.

```yaml
nodes:
  - id: madrid                       # unique; keys the merged results (node + collection id)
    name: Hospital Universitario X
    base_url: https://cikg.example.org   # a cikg node's root, or a Beacon v2 root (.../beacon)
    protocol: cikg                   # cikg (POST /api/search) or beacon (POST <base>/datasets)
    timeout: 5                       # seconds; default: the hub's CIKG_FEDERATION_TIMEOUT
    credentials:                     # optional bearer token sent to that node
      token_env: MADRID_TOKEN        # read from the hub's environment (or `token:` inline)
```
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PROTOCOLS = ("cikg", "beacon")


class NodeListError(ValueError):
    """The node list is unreadable or wrong; the message names the file, the node and the field."""


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    base_url: str
    protocol: Literal["cikg", "beacon"] = "cikg"
    timeout: float = 10.0
    token: str | None = None

    def public(self) -> dict[str, Any]:
        """What the hub shows about the node (never its credentials)."""
        return {
            "id": self.id,
            "name": self.name,
            "base_url": self.base_url,
            "protocol": self.protocol,
            "timeout": self.timeout,
        }


def load_nodes(path: Path, *, default_timeout: float = 10.0) -> list[Node]:
    """The nodes of ``path`` (an absent file: no nodes)."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NodeListError(f"{path}: not readable YAML: {exc}") from exc
    return parse_nodes(data, where=str(path), default_timeout=default_timeout)


def parse_nodes(data: Any, *, where: str = "nodes", default_timeout: float = 10.0) -> list[Node]:
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("nodes", []), list):
        raise NodeListError(f"{where}: expected a mapping with a list `nodes`")
    nodes: list[Node] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("nodes") or []):
        at = f"{where}: nodes[{i}]"
        if not isinstance(entry, dict):
            raise NodeListError(f"{at}: expected a mapping")
        node_id = str(entry.get("id", ""))
        if not _ID.match(node_id):
            raise NodeListError(f"{at}: `id` {node_id!r} must be letters, digits, '.', '_' or '-'")
        if node_id in seen:
            raise NodeListError(f"{at}: duplicate node id {node_id!r}")
        seen.add(node_id)
        at = f"{where}: node {node_id!r}"
        base_url = str(entry.get("base_url", "")).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise NodeListError(f"{at}: `base_url` must be an http(s) URL, not {base_url!r}")
        protocol = entry.get("protocol", "cikg")
        if protocol not in PROTOCOLS:
            raise NodeListError(f"{at}: `protocol` must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        timeout = entry.get("timeout", default_timeout)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            raise NodeListError(f"{at}: `timeout` must be a positive number of seconds, not {timeout!r}")
        nodes.append(
            Node(
                id=node_id,
                name=str(entry.get("name") or node_id),
                base_url=base_url,
                protocol=protocol,
                timeout=float(timeout),
                token=_token(entry.get("credentials"), at),
            )
        )
    return nodes


def _token(credentials: Any, at: str) -> str | None:
    if credentials is None:
        return None
    if not isinstance(credentials, dict):
        raise NodeListError(f"{at}: `credentials` must be a mapping (token or token_env)")
    if credentials.get("token"):
        return str(credentials["token"])
    env = credentials.get("token_env")
    if env:
        value = os.environ.get(str(env))
        if not value:
            raise NodeListError(f"{at}: credentials.token_env {env!r} is not set in the environment")
        return value
    return None
