"""The hub against a live federation: node health and statuses under the fault mix, time bounded by
the per-node timeout; the node list's errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from cikg.federation import NodeListError, load_nodes
from tests.federation.conftest import EXPECTED_FAULTS, NODE_TIMEOUT, Federation, statuses


@pytest.mark.slow
def test_node_health_under_the_fault_mix(federation: Federation) -> None:
    start = time.perf_counter()
    r = httpx.get(federation.hub + "/api/federated/nodes", timeout=30)
    elapsed = time.perf_counter() - start
    assert r.status_code == 200
    reports = r.json()["nodes"]
    got = statuses(reports)
    assert got == {**{n: "ok" for n in federation.data}, **EXPECTED_FAULTS}, reports
    assert elapsed < NODE_TIMEOUT + 2, elapsed
    by_id = {r["id"]: r for r in reports}
    assert by_id["garbage"]["reason"].startswith("invalid JSON")
    assert by_id["closed"]["reason"] == "HTTP 403"
    assert by_id["dead"]["reason"] == "connection refused"
    assert all(r["latency_ms"] >= 0 for r in reports)
    assert all("token" not in r and "credentials" not in r for r in reports)


@pytest.mark.slow
def test_fault_nodes_never_fail_a_search(federation: Federation) -> None:
    start = time.perf_counter()
    r = httpx.post(federation.hub + "/api/federated/search", json={}, timeout=30)
    elapsed = time.perf_counter() - start
    assert r.status_code == 200, r.text
    answer = r.json()
    got = statuses(answer["nodes"])
    assert {k: got[k] for k in EXPECTED_FAULTS} == EXPECTED_FAULTS, answer["nodes"]
    assert answer["partial"] is True
    assert elapsed < NODE_TIMEOUT + 2, elapsed
    assert 0 < answer["took_ms"] <= elapsed * 1000
    slow = next(n for n in answer["nodes"] if n["id"] == "slow")
    assert NODE_TIMEOUT * 1000 * 0.9 <= slow["latency_ms"] <= NODE_TIMEOUT * 1000 + 500


def test_node_list_errors_name_the_node_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "nodes.yaml"
    bad.write_text("nodes:\n  - id: a\n    base_url: ftp://x\n", encoding="utf-8")
    with pytest.raises(NodeListError, match=r"node 'a': `base_url` must be an http\(s\) URL"):
        load_nodes(bad)
    bad.write_text("nodes:\n  - {id: a, base_url: 'http://x', protocol: sparql}\n", encoding="utf-8")
    with pytest.raises(NodeListError, match="`protocol` must be one of cikg, beacon"):
        load_nodes(bad)
    bad.write_text("nodes:\n  - {id: a, base_url: 'http://x'}\n  - {id: a, base_url: 'http://y'}\n")
    with pytest.raises(NodeListError, match="duplicate node id 'a'"):
        load_nodes(bad)
    bad.write_text("nodes:\n  - {id: a, base_url: 'http://x', credentials: {token_env: NO_SUCH_VAR_X}}\n")
    with pytest.raises(NodeListError, match="NO_SUCH_VAR_X"):
        load_nodes(bad)
    assert load_nodes(tmp_path / "absent.yaml") == []
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "nodes:\n  - {id: a, base_url: 'http://x/', timeout: 3, credentials: {token: s3cr3t-tok}}\n"
    )
    (node,) = load_nodes(ok, default_timeout=9)
    assert (node.base_url, node.timeout, node.token, node.protocol) == ("http://x", 3.0, "s3cr3t-tok", "cikg")
    assert "s3cr3t-tok" not in str(node.public())


@pytest.mark.slow
def test_cli_reports_the_same_statuses(federation: Federation, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cikg.cli import app

    nodes_file = federation.hub_catalogue.settings.nodes_path
    common = ["--nodes", str(nodes_file), "--data-dir", str(tmp_path / "cli"), "--json"]
    result = CliRunner().invoke(app, ["federated", "nodes", *common])
    assert result.exit_code == 0, result.output
    assert statuses(json.loads(result.stdout)) == {**{n: "ok" for n in federation.data}, **EXPECTED_FAULTS}
    result = CliRunner().invoke(app, ["federated", "search", "{}", *common])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["partial"] is True
    assert {k: statuses(answer["nodes"])[k] for k in EXPECTED_FAULTS} == EXPECTED_FAULTS


@pytest.mark.slow
def test_cikg_search_federated_flag(federation: Federation, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cikg.cli import app

    nodes_file = federation.hub_catalogue.settings.nodes_path
    args = ["search", "--federated", "--modality", "CT", "--nodes", str(nodes_file)]
    result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path / "cli"), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert statuses(answer["nodes"]) == {**{n: "ok" for n in federation.data}, **EXPECTED_FAULTS}
    direct = httpx.post(
        federation.hub + "/api/federated/search",
        json={"query": {"field": "modality", "value": ["CT"]}},
        timeout=30,
    ).json()
    assert {c["key"] for c in answer["collections"]} == {c["key"] for c in direct["collections"]}
    assert answer["collections"] and all("modality_ct" in c["modalities"] for c in answer["collections"])
    table = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path / "cli")])
    assert table.exit_code == 0 and "partial answer" in table.output


@pytest.mark.slow
def test_a_query_every_node_rejects_is_the_callers_error(federation: Federation) -> None:
    r = httpx.post(
        federation.hub + "/api/federated/search",
        json={"query": {"field": "modality", "value": "no-such-modality-xyz"}},
        timeout=30,
    )
    assert r.status_code == 400
    assert "no-such-modality-xyz" in r.json()["detail"] and r.json()["detail"].startswith("node node")
    assert httpx.get(federation.hub + "/api/federated/nodes", timeout=30).status_code == 200
