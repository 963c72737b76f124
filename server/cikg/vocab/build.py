"""The hyperontology build: authored sources + the DICOM layer -> OWL (Turtle), SSSOM sets, LinkML enums.

Inputs (``ontology/src/``, reviewable text):

* ``ontology.yaml``   ontology metadata (version, licence, attribution, mapping set metadata);
* ``branches.yaml``   branch roots -> enum names of the metadata model;
* ``concepts/*.tsv``  one file per branch (named after the root), columns ``CONCEPT_COLUMNS``;
* ``mappings.tsv``    curated mappings, long format, columns ``MAPPING_COLUMNS``.

The DICOM layer (``cikg.vocab.dicom_layer``) adds the modality, body part and SOP class concepts that
pydicom / highdicom carry; an authored row with the same id overlays a generated concept (parents,
translations, extra synonyms, a better label). Outputs, written by ``build_all``:

* ``ontology/cikg.ttl``                   OWL 2 DL in canonical Turtle (``canonical_turtle``);
* ``mappings/cikg_<scheme>.sssom.tsv``   one SSSOM mapping set per target scheme;
* ``schemas/cikg_enums.yaml``             one LinkML enum per branch.

Everything is sorted and carries no timestamp of its own (dates come from ``ontology.yaml``), so two
builds from the same sources and the same pydicom / highdicom give identical bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from cikg import namespaces, resources
from cikg.vocab import dicom_layer, sssom

LANGUAGES = ("en", "es", "it", "el", "fr", "de")
CONCEPT_COLUMNS = (
    "id",
    "parents",
    *(f"{kind}_{lang}" for lang in LANGUAGES for kind in ("label", "synonyms")),
    "definition",
)
MAPPING_COLUMNS = (
    "subject_id",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)
PREDICATES = (
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
)
JUSTIFICATIONS = (
    "semapv:ManualMappingCuration",
    "semapv:MappingReview",
    "semapv:LexicalMatching",
    "semapv:LogicalReasoning",
    "semapv:MappingChaining",
    "semapv:UnspecifiedMatching",
)
MULTI_SEPARATOR = " | "
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Schemes whose labels may be shipped (licences in ../shared/vocab/README.md and docs/ontology.md).
# SNOMEDCT labels only for the codes DICOM uses (checked against pydicom at build time).
LABELLED_PREFIXES = frozenset({"NCIT", "MONDO", "UBERON", "DCM", "RADLEX", "LOINC", "wikidata", "DICOMUID"})
DICOM_SUBSET_PREFIXES = frozenset({"SNOMEDCT"})
RESTRICTED_LABEL_PREFIXES = frozenset({"ICD10", "ICDO3", "OMOP", "ICD11", "EUCAIM"})

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
ONTOLOGY_IRI = "https://w3id.org/cikg/ontology"
MAPPING_SET_BASE = "https://w3id.org/cikg/mappings/"


class OntologySourceError(ValueError):
    """The authored sources are inconsistent (unknown parent, duplicate id, bad CURIE...)."""


@dataclass
class Concept:
    id: str
    source_file: str
    parents: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    definition: str = ""
    notations: list[str] = field(default_factory=list)
    generated_from: str = ""

    @property
    def label(self) -> str:
        return self.labels.get("en", "")


@dataclass(frozen=True)
class Mapping:
    subject_id: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    comment: str

    @property
    def prefix(self) -> str:
        return self.object_id.partition(":")[0]

    def key(self) -> tuple[str, str, str]:
        return (self.subject_id, self.object_id, self.predicate_id)


@dataclass(frozen=True)
class Branch:
    enum: str
    root: str
    description: str
    include_root: bool = False


# --------------------------------------------------------------------------------------------- reading


def split_multi(value: str) -> list[str]:
    return [v.strip() for v in value.split(MULTI_SEPARATOR.strip()) if v.strip()] if value else []


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of an authored TSV, checking the header is exactly ``columns``."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = list(reader)
    if not rows or tuple(rows[0]) != columns:
        raise OntologySourceError(
            f"{path.name}: header must be exactly {columns}, got {rows[0] if rows else None}"
        )
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) != len(columns):
            raise OntologySourceError(f"{path.name}:{n}: {len(row)} fields, expected {len(columns)}")
        out.append({c: v.strip() for c, v in zip(columns, row, strict=True)})
    return out


def read_branches(src: Path) -> dict[str, Branch]:
    data = yaml.safe_load((src / "branches.yaml").read_text(encoding="utf-8"))
    return {
        name: Branch(
            name,
            spec["root"],
            " ".join(str(spec.get("description", "")).split()),
            bool(spec.get("include_root", False)),
        )
        for name, spec in data["branches"].items()
    }


def read_metadata(src: Path) -> dict[str, Any]:
    return yaml.safe_load((src / "ontology.yaml").read_text(encoding="utf-8"))


def read_authored_concepts(src: Path) -> dict[str, Concept]:
    concepts: dict[str, Concept] = {}
    for path in sorted((src / "concepts").glob("*.tsv")):
        for row in read_tsv(path, CONCEPT_COLUMNS):
            cid = row["id"]
            if cid in concepts:
                raise OntologySourceError(f"{path.name}: duplicate concept id {cid!r}")
            concepts[cid] = Concept(
                id=cid,
                source_file=path.name,
                parents=split_multi(row["parents"]),
                labels={lang: row[f"label_{lang}"] for lang in LANGUAGES if row[f"label_{lang}"]},
                synonyms={lang: split_multi(row[f"synonyms_{lang}"]) for lang in LANGUAGES},
                definition=row["definition"],
            )
    return concepts


def read_authored_mappings(src: Path) -> list[Mapping]:
    return [Mapping(**row) for row in read_tsv(src / "mappings.tsv", MAPPING_COLUMNS)]


# ------------------------------------------------------------------------------------------ the model


@dataclass
class Ontology:
    concepts: dict[str, Concept]
    mappings: list[Mapping]
    branches: dict[str, Branch]
    metadata: dict[str, Any]

    @cached_property
    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {cid: [] for cid in self.concepts}
        for c in self.concepts.values():
            for p in c.parents:
                out[p].append(c.id)
        return {k: sorted(v) for k, v in out.items()}

    def descendants(self, cid: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.children[cid])
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(self.children[cur])
        return seen

    def ancestors(self, cid: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.concepts[cid].parents)
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(self.concepts[cur].parents)
        return seen

    def branches_of(self, cid: str) -> list[str]:
        lineage = self.ancestors(cid) | {cid}
        return sorted(b.enum for b in self.branches.values() if b.root in lineage)

    def members(self, branch: Branch) -> list[str]:
        found = self.descendants(branch.root)
        if branch.include_root:
            found.add(branch.root)
        return sorted(found)

    def mappings_by_subject(self) -> dict[str, list[Mapping]]:
        out: dict[str, list[Mapping]] = {}
        for m in self.mappings:
            out.setdefault(m.subject_id, []).append(m)
        return out


def _merge_generated(concepts: dict[str, Concept], mappings: list[Mapping]) -> None:
    """Overlay authored rows onto the DICOM layer (in place); add the layer's defining mappings."""
    authored_keys = {(m.subject_id, m.object_id) for m in mappings}
    for g in dicom_layer.generated():
        c = concepts.get(g.id)
        if c is None:
            c = concepts[g.id] = Concept(id=g.id, source_file=f"{g.branch}.tsv")
            c.synonyms = {lang: [] for lang in LANGUAGES}
        c.generated_from = g.source
        c.notations = [g.notation]
        if not c.parents:
            c.parents = [g.branch]
        if not c.labels.get("en"):
            c.labels["en"] = g.label
        english = c.synonyms.setdefault("en", [])
        for extra in (g.label, g.notation):
            if extra != c.labels["en"] and extra not in english:
                english.append(extra)
        if not c.definition:
            c.definition = g.definition
        if (g.id, g.object_id) not in authored_keys:
            mappings.append(
                Mapping(
                    g.id,
                    g.predicate,
                    g.object_id,
                    g.object_label,
                    "semapv:ManualMappingCuration",
                    f"{g.source} (generated from {dicom_layer.provenance()})",
                )
            )


def _fill_labels(mappings: list[Mapping]) -> list[Mapping]:
    """Object labels from DICOM (pydicom) for DCM / SNOMEDCT / NCIT / RADLEX / LOINC codes DICOM uses."""
    out = []
    for m in mappings:
        label = m.object_label
        if not label and m.prefix in LABELLED_PREFIXES | DICOM_SUBSET_PREFIXES:
            label = dicom_layer.dicom_label(m.object_id) or ""
        out.append(
            Mapping(m.subject_id, m.predicate_id, m.object_id, label, m.mapping_justification, m.comment)
        )
    return out


def validate(onto: Ontology) -> list[str]:
    """Every problem with the merged sources, as readable messages (empty when all is well)."""
    problems: list[str] = []
    conv = namespaces.converter()
    concepts = onto.concepts
    for c in concepts.values():
        if not ID_PATTERN.match(c.id):
            problems.append(f"{c.id}: id does not match {ID_PATTERN.pattern}")
        problems.extend(f"{c.id}: unknown parent {p!r}" for p in c.parents if p not in concepts)
    for b in onto.branches.values():
        if b.root not in concepts:
            problems.append(f"branch {b.enum}: root {b.root!r} is not a concept")
    # cycles (iterative DFS with colours)
    state: dict[str, int] = {}
    for start in sorted(concepts):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(concepts[start].parents))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next((p for p in it if p in concepts), None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                problems.append(f"cycle through {nxt!r} and {node!r}")
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(concepts[nxt].parents)))
    seen: set[tuple[str, str]] = set()
    for m in onto.mappings:
        where = f"mapping {m.subject_id} {m.predicate_id} {m.object_id}"
        if m.subject_id not in concepts:
            problems.append(f"{where}: unknown subject")
        if m.predicate_id not in PREDICATES:
            problems.append(f"{where}: predicate must be one of {PREDICATES}")
        if m.mapping_justification not in JUSTIFICATIONS:
            problems.append(f"{where}: unknown mapping_justification {m.mapping_justification!r}")
        try:
            if conv.standardize_prefix(m.prefix) != m.prefix:
                problems.append(f"{where}: write the canonical prefix {conv.standardize_prefix(m.prefix)!r}")
        except namespaces.UnknownPrefixError:
            problems.append(f"{where}: prefix {m.prefix!r} is not in mappings/prefixes.yaml")
        if (m.subject_id, m.object_id) in seen:
            problems.append(f"{where}: the same object is mapped twice")
        seen.add((m.subject_id, m.object_id))
        if m.object_label:
            if m.prefix in RESTRICTED_LABEL_PREFIXES:
                problems.append(f"{where}: labels of {m.prefix} may not be shipped (codes only)")
            elif m.prefix in DICOM_SUBSET_PREFIXES and m.object_label not in dicom_layer.dicom_meanings(
                m.object_id
            ):
                problems.append(f"{where}: {m.prefix} labels only from the DICOM subset (pydicom)")
        if m.prefix == "DCM" and not dicom_layer.in_dicom(m.object_id) and not m.object_label:
            problems.append(f"{where}: DCM code unknown to pydicom")
    return problems


def load(src: Path | None = None) -> Ontology:
    """Read the authored sources, merge the DICOM layer, fill DICOM labels, validate."""
    src = src or resources.ontology_src_dir()
    concepts = read_authored_concepts(src)
    mappings = read_authored_mappings(src)
    _merge_generated(concepts, mappings)
    for c in concepts.values():
        for lang in LANGUAGES:
            c.synonyms.setdefault(lang, [])
    onto = Ontology(
        concepts, sorted(_fill_labels(mappings), key=Mapping.key), read_branches(src), read_metadata(src)
    )
    problems = validate(onto)
    if problems:
        raise OntologySourceError("ontology sources are inconsistent:\n  " + "\n  ".join(problems))
    return onto


# ------------------------------------------------------------------------------------ canonical Turtle

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def canonical_turtle(graph: Any, prefixes: dict[str, str]) -> str:
    """Deterministic Turtle for a blank-node-free rdflib graph: sorted prefixes, subjects, predicates,
    objects; one predicate per line; CURIEs where the local part is a plain Turtle local name."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDF

    used: dict[str, str] = {}
    by_len = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def term(t: Any) -> str:
        if isinstance(t, BNode):
            raise ValueError("canonical_turtle does not write blank nodes")
        if isinstance(t, URIRef):
            iri = str(t)
            for p, ns in by_len:
                if iri.startswith(ns) and _PN_LOCAL.match(iri[len(ns) :]):
                    used[p] = ns
                    return f"{p}:{iri[len(ns) :]}"
            return f"<{iri}>"
        if isinstance(t, Literal):
            body = f'"{_escape(str(t))}"'
            if t.language:
                return f"{body}@{t.language}"
            if t.datatype:
                return f"{body}^^{term(t.datatype)}"
            return body
        raise TypeError(type(t))

    def sort_key(t: Any) -> tuple[int, str, str, str]:
        if isinstance(t, URIRef):
            return (0, str(t), "", "")
        return (1, str(t), str(t.language or ""), str(t.datatype or ""))

    blocks: list[str] = []
    subjects = sorted({s for s in graph.subjects()}, key=sort_key)
    for s in subjects:
        preds = sorted({p for p in graph.predicates(s)}, key=lambda p: (p != RDF.type, str(p)))
        lines = []
        for p in preds:
            objs = sorted(graph.objects(s, p), key=sort_key)
            ptext = "a" if p == RDF.type else term(p)
            lines.append(f"    {ptext} " + " ,\n        ".join(term(o) for o in objs))
        blocks.append(f"{term(s)}\n" + " ;\n".join(lines) + " .\n")
    header = "".join(
        f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items(), key=lambda kv: kv[0].lower())
    )
    return header + "\n" + "\n".join(blocks)


def turtle_prefixes() -> dict[str, str]:
    prefixes = namespaces.converter().as_dict()
    prefixes.update(
        {
            "owl": namespaces.OWL,
            "rdfs": namespaces.RDFS,
            "rdf": namespaces.RDF,
            "skos": namespaces.SKOS,
            "oboInOwl": namespaces.OBOINOWL,
            "dcterms": namespaces.DCTERMS,
            "xsd": namespaces.XSD,
        }
    )
    prefixes.pop("cikgs", None)
    return prefixes


def to_graph(onto: Ontology) -> Any:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    conv = namespaces.converter()
    dct = namespaces.DCTERMS
    oio = namespaces.OBOINOWL
    g = Graph()
    meta = onto.metadata
    ont = URIRef(ONTOLOGY_IRI)
    g.add((ont, RDF.type, OWL.Ontology))
    g.add((ont, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/releases/{meta['version']}/cikg.ttl")))
    g.add((ont, OWL.versionInfo, Literal(str(meta["version"]))))
    g.add((ont, URIRef(dct + "title"), Literal(meta["title"], lang="en")))
    g.add((ont, URIRef(dct + "description"), Literal(" ".join(meta["description"].split()), lang="en")))
    g.add((ont, URIRef(dct + "license"), URIRef(meta["license"])))
    g.add((ont, URIRef(dct + "source"), URIRef(meta["homepage"])))
    for note in meta["attribution"]:
        g.add((ont, RDFS.comment, Literal(" ".join(note.split()), lang="en")))
    g.add((ont, RDFS.comment, Literal(f"DICOM layer generated from {dicom_layer.provenance()}.", lang="en")))
    for prop in (
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.definition,
        SKOS.notation,
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
        URIRef(oio + "inSubset"),
        URIRef(oio + "SubsetProperty"),
        URIRef(dct + "title"),
        URIRef(dct + "description"),
        URIRef(dct + "license"),
        URIRef(dct + "source"),
    ):
        g.add((prop, RDF.type, OWL.AnnotationProperty))
    for b in onto.branches.values():
        subset = URIRef(namespaces.CIKG + f"subset_{b.enum}")
        g.add((subset, RDF.type, OWL.AnnotationProperty))
        g.add((subset, RDFS.subPropertyOf, URIRef(oio + "SubsetProperty")))
        g.add((subset, RDFS.label, Literal(f"{b.enum} (branch rooted at {b.root})", lang="en")))
        g.add((subset, RDFS.comment, Literal(b.description, lang="en")))
    for c in onto.concepts.values():
        s = URIRef(namespaces.CIKG + c.id)
        g.add((s, RDF.type, OWL.Class))
        g.add((s, RDFS.label, Literal(c.label, lang="en")))
        for p in c.parents:
            g.add((s, RDFS.subClassOf, URIRef(namespaces.CIKG + p)))
        for lang in LANGUAGES:
            if c.labels.get(lang):
                g.add((s, SKOS.prefLabel, Literal(c.labels[lang], lang=lang)))
            for syn in c.synonyms.get(lang, []):
                g.add((s, SKOS.altLabel, Literal(syn, lang=lang)))
        if c.definition:
            g.add((s, SKOS.definition, Literal(c.definition, lang="en")))
        for n in c.notations:
            g.add((s, SKOS.notation, Literal(n)))
        for enum in onto.branches_of(c.id):
            g.add((s, URIRef(oio + "inSubset"), URIRef(namespaces.CIKG + f"subset_{enum}")))
    for m in onto.mappings:
        g.add(
            (
                URIRef(namespaces.CIKG + m.subject_id),
                URIRef(conv.expand(m.predicate_id)),
                URIRef(conv.expand(m.object_id)),
            )
        )
    return g


def render_turtle(onto: Ontology) -> str:
    return (
        "# GENERATED by `make gen` (cikg.vocab.build) from ontology/src and the DICOM layer"
        f" ({dicom_layer.provenance()}). Do not edit.\n" + canonical_turtle(to_graph(onto), turtle_prefixes())
    )


# ----------------------------------------------------------------------------------------------- SSSOM

SSSOM_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)


def sssom_scheme(prefix: str) -> str:
    return prefix.lower()


def render_sssom(onto: Ontology) -> dict[str, str]:
    """scheme -> SSSOM TSV text (YAML metadata block as ``#`` comments, then the rows)."""
    conv = namespaces.converter()
    meta = onto.metadata
    schemes = meta["mapping_sets"]
    by_prefix: dict[str, list[Mapping]] = {}
    for m in onto.mappings:
        by_prefix.setdefault(m.prefix, []).append(m)
    out = {}
    for prefix, rows in sorted(by_prefix.items()):
        scheme = sssom_scheme(prefix)
        info = schemes.get(prefix)
        if info is None:
            raise OntologySourceError(f"ontology.yaml mapping_sets has no entry for prefix {prefix!r}")
        used = sorted({"CIKG", "skos", "semapv", prefix}, key=str.lower)
        header: dict[str, Any] = {
            "curie_map": {p: conv.as_dict()[p] for p in used},
            "mapping_set_id": f"{MAPPING_SET_BASE}cikg_{scheme}.sssom.tsv",
            "mapping_set_version": str(meta["version"]),
            "mapping_set_title": f"cikg hyperontology to {info['name']}",
            "mapping_set_description": " ".join(str(info["description"]).split()),
            "license": info.get("license", CC_BY_4),
            "mapping_date": str(meta["mapping_date"]),
            "creator_label": [str(meta["creator"])],
            "subject_source": ONTOLOGY_IRI,
            "subject_source_version": str(meta["version"]),
            "object_source": info["source"],
        }
        lines = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=1000).splitlines()
        buf = io.StringIO()
        buf.write("".join(f"#{' ' if line else ''}{line}\n" for line in lines))
        w = sssom.table_writer(buf)
        w.writerow(SSSOM_COLUMNS)
        for m in sorted(rows, key=lambda m: (m.subject_id, m.predicate_id, m.object_id)):
            w.writerow(
                [
                    sssom.cell(v)
                    for v in (
                        f"CIKG:{m.subject_id}",
                        onto.concepts[m.subject_id].label,
                        m.predicate_id,
                        m.object_id,
                        m.object_label,
                        m.mapping_justification,
                        m.comment,
                    )
                ]
            )
        out[scheme] = buf.getvalue()
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def sssom_to_json(text: str) -> dict[str, Any]:
    """An SSSOM TSV (metadata block + rows) as the JSON ``MappingSet`` shape of the SSSOM JSON Schema:
    set-level slots from the header, ``mappings`` from the rows (empty cells dropped, multivalued slots
    split on ``|``), the way sssom-py converts TSV to JSON."""
    meta_lines: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        (meta_lines if line.startswith("#") else body).append(line)
    meta = yaml.safe_load("\n".join(line[1:] for line in meta_lines)) or {}
    multivalued = {
        "creator_id",
        "creator_label",
        "author_id",
        "author_label",
        "reviewer_id",
        "reviewer_label",
        "see_also",
        "curation_rule",
        "curation_rule_text",
        "subject_preprocessing",
        "object_preprocessing",
    }
    numeric = {"confidence", "similarity_score", "subject_match_field_score", "object_match_field_score"}
    rows = list(sssom.table_reader(io.StringIO("\n".join(body))))
    mappings = []
    for row in rows[1:]:
        record: dict[str, Any] = {}
        for col, value in zip(rows[0], row, strict=True):
            if value == "":
                continue
            if col in multivalued:
                record[col] = [v for v in value.split("|") if v]
            elif col in numeric:
                record[col] = float(value)
            else:
                record[col] = value
        mappings.append(record)
    out = _jsonable(meta)
    out["mappings"] = mappings
    return out


# ----------------------------------------------------------------------------------------------- enums


def render_enums(onto: Ontology) -> str:
    doc: dict[str, Any] = {
        "id": "https://w3id.org/cikg/schema/enums",
        "name": "cikg_enums",
        "description": (
            "The hyperontology branches as enums: one permissible value per concept below the root."
        ),
        "prefixes": {"CIKG": namespaces.CIKG, "linkml": "https://w3id.org/linkml/"},
        "default_prefix": "CIKG",
        "enums": {},
    }
    for b in onto.branches.values():
        values = {
            cid: {"meaning": f"CIKG:{cid}", "description": onto.concepts[cid].label}
            for cid in onto.members(b)
        }
        doc["enums"][b.enum] = {"description": b.description, "permissible_values": values}
    return (
        "# GENERATED by `make gen` (cikg.vocab.build) from ontology/src (branches.yaml + concepts)."
        " Do not edit.\n" + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)
    )


# ----------------------------------------------------------------------------------------------- build


def artifacts(onto: Ontology | None = None) -> dict[Path, str]:
    onto = onto or load()
    out = {resources.ontology_path(): render_turtle(onto), resources.enums_schema_path(): render_enums(onto)}
    for scheme, text in render_sssom(onto).items():
        out[resources.mappings_dir() / f"cikg_{scheme}.sssom.tsv"] = text
    return out


def build_all(check: bool = False) -> list[Path]:
    """Write every generated file (or, with ``check``, write nothing and return the files that differ
    from a fresh build, including stale ``cikg_*.sssom.tsv`` files no scheme produces any more)."""
    produced = artifacts()
    stale = [p for p in sorted(resources.mappings_dir().glob("cikg_*.sssom.tsv")) if p not in produced]
    changed = [p for p, text in produced.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if check:
        return sorted(changed + stale)
    for p in stale:
        p.unlink()
    for p in changed:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(produced[p], encoding="utf-8")
    return sorted(changed + stale)
