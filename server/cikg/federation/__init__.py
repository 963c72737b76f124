"""Federation: count protection at the node, the node list, and the hub's fan-out (docs/federation.md)."""

from cikg.federation.beacon_client import NotExpressible, beacon_request, beacon_results
from cikg.federation.client import PerOriginTransport, http_client
from cikg.federation.hub import NodeAnswer, fan_out, health, merge, query_node
from cikg.federation.nodes import Node, NodeListError, load_nodes, parse_nodes
from cikg.federation.protection import CountPolicy, authorised, bearer_token, exposed_counts, protect

__all__ = [
    "CountPolicy",
    "Node",
    "NodeAnswer",
    "NodeListError",
    "NotExpressible",
    "PerOriginTransport",
    "authorised",
    "beacon_request",
    "beacon_results",
    "bearer_token",
    "exposed_counts",
    "fan_out",
    "health",
    "http_client",
    "load_nodes",
    "merge",
    "parse_nodes",
    "protect",
    "query_node",
]
