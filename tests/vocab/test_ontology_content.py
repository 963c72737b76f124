"""The hyperontology content, tested as data: sources, generated files, licences, reasoning."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from cikg import namespaces, resources
from cikg.vocab import build, dicom_layer

STUB_IDS = [
    "lung_cancer",
    "non_small_cell_lung_carcinoma",
    "lung_adenocarcinoma",
    "breast_cancer",
    "prostate_cancer",
    "colorectal_cancer",
    "no_cancer",
    "phantom",
    "bp_chest",
    "bp_lung",
    "bp_breast",
    "bp_prostate",
    "bp_abdomen",
    "bp_head",
    "bp_liver",
    "modality_ct",
    "modality_mr",
    "modality_pt",
    "modality_mg",
    "modality_seg",
    "modality_rtstruct",
    "modality_sr",
    "modality_us",
    "modality_cr",
    "modality_dx",
    "modality_ot",
    "t1_weighted",
    "t2_weighted",
    "diffusion_weighted",
    "apparent_diffusion_coefficient",
    "dynamic_contrast_enhanced",
    "contrast_enhanced",
    "siemens",
    "ge_healthcare",
    "philips",
    "canon",
    "female",
    "male",
    "other_sex",
    "unknown_sex",
    "clinical_routine",
    "clinical_trial",
    "observational_study",
    "tier_1",
    "tier_2",
    "tier_3",
    "image_data",
    "segmentation_data",
    "structured_report",
    "clinical_data",
    "manual_annotation",
    "semi_automatic_annotation",
    "automatic_annotation",
    "left",
    "right",
    "bilateral",
    "unpaired",
    "sop_ct_image_storage",
    "sop_mr_image_storage",
    "sop_segmentation_storage",
    "sop_rt_structure_set_storage",
]

SRC = resources.ontology_src_dir()
CONCEPT_FILES = sorted((SRC / "concepts").glob("*.tsv"))


def _rows(path: Path) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
    )


# ------------------------------------------------------------------------------------ authored sources


@pytest.mark.parametrize("path", CONCEPT_FILES, ids=lambda p: p.name)
def test_concept_tsv_has_exact_columns_and_canonical_order(path: Path) -> None:
    rows = _rows(path)
    assert tuple(rows[0]) == build.CONCEPT_COLUMNS
    assert all(len(r) == len(build.CONCEPT_COLUMNS) for r in rows[1:]), "ragged row"
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids), f"{path.name}: rows must be sorted by id"
    assert len(ids) == len(set(ids))
    for r in rows[1:]:
        assert all(v == v.strip() for v in r), f"{r[0]}: stray whitespace"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text


def test_concept_files_are_named_after_a_branch_root(onto: build.Ontology) -> None:
    roots = {b.root for b in onto.branches.values()}
    for path in CONCEPT_FILES:
        assert path.stem in roots, f"{path.name}: concept files are named after a branch root"
    for c in onto.concepts.values():
        root = Path(c.source_file).stem
        assert c.id == root or root in onto.ancestors(c.id), (
            f"{c.id} is in {c.source_file} but not under {root}"
        )


def test_mappings_tsv_columns_and_canonical_order() -> None:
    rows = _rows(SRC / "mappings.tsv")
    assert tuple(rows[0]) == build.MAPPING_COLUMNS
    keys = [(r[0], r[2], r[1]) for r in rows[1:]]
    assert keys == sorted(keys), "mappings.tsv must be sorted by subject_id, object_id, predicate_id"


def test_ids_valid_and_unique(onto: build.Ontology) -> None:
    for cid in onto.concepts:
        assert build.ID_PATTERN.match(cid), cid
    authored = [r[0] for p in CONCEPT_FILES for r in _rows(p)[1:]]
    assert len(authored) == len(set(authored))


def test_sources_are_consistent(onto: build.Ontology) -> None:
    # unknown parents, cycles, unknown prefixes, predicates, justifications, restricted labels
    assert build.validate(onto) == []


def test_at_least_300_concepts(onto: build.Ontology) -> None:
    assert len(onto.concepts) >= 300


def test_every_concept_has_six_languages_and_a_definition(onto: build.Ontology) -> None:
    missing = [
        (c.id, lang) for c in onto.concepts.values() for lang in build.LANGUAGES if not c.labels.get(lang)
    ]
    assert missing == [], f"{len(missing)} missing labels, e.g. {missing[:10]}"
    assert [c.id for c in onto.concepts.values() if not c.definition] == []


def test_every_concept_has_an_external_mapping(onto: build.Ontology) -> None:
    mapped = {m.subject_id for m in onto.mappings}
    assert sorted(set(onto.concepts) - mapped) == []


def test_every_curie_prefix_is_in_the_prefix_map(onto: build.Ontology) -> None:
    conv = namespaces.converter()
    for m in onto.mappings:
        for curie in (m.object_id, m.predicate_id, m.mapping_justification):
            prefix = curie.partition(":")[0]
            assert conv.lookup(prefix) is not None, curie
            assert conv.standardize_prefix(prefix) == prefix, f"{curie}: not the canonical prefix"


def test_prefix_map_in_canonical_order() -> None:
    data = yaml.safe_load(resources.prefixes_path().read_text(encoding="utf-8"))
    keys = [p["prefix"] for p in data["prefixes"]]
    assert keys == sorted(keys, key=str.lower)
    assert {"wikidata", "DICOMUID"} <= set(keys)


def test_stub_ids_exist_in_their_branches(onto: build.Ontology) -> None:
    assert sorted(set(STUB_IDS) - set(onto.concepts)) == []
    enums = yaml.safe_load(resources.enums_schema_path().read_text(encoding="utf-8"))["enums"]
    in_enums = {pv for e in enums.values() for pv in e["permissible_values"]}
    assert sorted(set(STUB_IDS) - in_enums) == []


# ------------------------------------------------------------------------------------- key semantics


def _targets(onto: build.Ontology, cid: str) -> dict[str, str]:
    return {m.object_id: m.predicate_id for m in onto.mappings if m.subject_id == cid}


def test_nsclc_codes(onto: build.Ontology) -> None:
    t = _targets(onto, "non_small_cell_lung_carcinoma")
    assert t["SNOMEDCT:254637007"] == "skos:exactMatch"
    assert t["NCIT:C2926"] == "skos:exactMatch"
    assert t["MONDO:0005233"] == "skos:exactMatch"
    assert t["OMOP:4115276"] == "skos:exactMatch"
    assert t["ICD10:C34"] == "skos:broadMatch"
    # C34 itself is exact for lung cancer, so a resolver preferring exact over broad lands there
    assert _targets(onto, "lung_cancer")["ICD10:C34"] == "skos:exactMatch"
    exact_c34 = [
        m.subject_id
        for m in onto.mappings
        if m.object_id == "ICD10:C34" and m.predicate_id == "skos:exactMatch"
    ]
    assert exact_c34 == ["lung_cancer"]


def test_each_external_code_has_at_most_one_exact_owner_per_branch(onto: build.Ontology) -> None:
    owners: dict[tuple[str, str], set[str]] = {}
    for m in onto.mappings:
        if m.predicate_id == "skos:exactMatch":
            for branch in onto.branches_of(m.subject_id):
                owners.setdefault((m.object_id, branch), set()).add(m.subject_id)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert clashes == {}


def test_hierarchy_for_search_expansion(onto: build.Ontology) -> None:
    assert {"non_small_cell_lung_carcinoma", "lung_adenocarcinoma"} <= onto.descendants("lung_cancer")
    assert "lung_cancer" in onto.descendants("malignant_neoplasm")
    assert "meningioma" not in onto.descendants("malignant_neoplasm")
    assert "meningioma" in onto.descendants("neoplasm")
    assert "bp_lung" in onto.descendants("bp_chest")
    assert "bp_liver" in onto.descendants("bp_abdomen")
    assert "bp_prostate" in onto.descendants("bp_pelvis")
    for cid in ("no_cancer", "phantom", "covid_19"):
        assert cid not in onto.descendants("neoplasm")


def test_every_dicom_defined_term_is_a_concept(onto: build.Ontology) -> None:
    for g in dicom_layer.generated():
        c = onto.concepts[g.id]
        assert c.notations == [g.notation]
        assert g.branch == c.id or g.branch in onto.ancestors(c.id)
    assert len(dicom_layer.body_parts()) >= 300


def test_multilingual_labels_of_key_concepts(onto: build.Ontology) -> None:
    nsclc = onto.concepts["non_small_cell_lung_carcinoma"]
    assert "NSCLC" in nsclc.synonyms["en"]
    assert nsclc.labels["es"].startswith("Carcinoma")
    assert "πνεύμονα" in nsclc.labels["el"]


# ----------------------------------------------------------------------------------- generated files


def test_generated_files_do_not_drift() -> None:
    assert build.build_all(check=True) == [], "run `make gen` (cikg.vocab.build.build_all) and commit"


def test_turtle_is_canonical() -> None:
    from rdflib import Graph

    text = resources.ontology_path().read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    assert header.startswith("# GENERATED")
    graph = Graph().parse(data=body, format="turtle")
    assert build.canonical_turtle(graph, build.turtle_prefixes()) == body
    assert not any(True for t in graph for term in t if term.__class__.__name__ == "BNode")


def test_turtle_declares_mapping_properties_as_annotation_properties() -> None:
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF, SKOS

    graph = Graph().parse(resources.ontology_path(), format="turtle")
    for prop in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
        assert (prop, RDF.type, OWL.AnnotationProperty) in graph


def _sssom_files() -> list[Path]:
    return sorted(resources.mappings_dir().glob("cikg_*.sssom.tsv"))


def test_one_sssom_file_per_scheme(onto: build.Ontology) -> None:
    expected = {f"cikg_{build.sssom_scheme(m.prefix)}.sssom.tsv" for m in onto.mappings}
    assert {p.name for p in _sssom_files()} == expected
    for scheme in (
        "snomedct",
        "ncit",
        "mondo",
        "icd10",
        "icdo3",
        "icd11",
        "omop",
        "dcm",
        "eucaim",
        "wikidata",
        "dicomuid",
    ):
        assert f"cikg_{scheme}.sssom.tsv" in expected


@pytest.mark.parametrize("path", _sssom_files(), ids=lambda p: p.name)
def test_sssom_file_validates_against_the_json_schema(path: Path, sssom_json_schema: dict[str, Any]) -> None:
    import jsonschema

    doc = build.sssom_to_json(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, sssom_json_schema)
    for key in (
        "license",
        "mapping_set_id",
        "mapping_set_version",
        "mapping_date",
        "curie_map",
        "subject_source",
        "object_source",
    ):
        assert doc.get(key), f"{path.name}: {key} missing"
    assert doc["mapping_set_id"].startswith(build.MAPPING_SET_BASE)
    assert all(m.get("mapping_justification") for m in doc["mappings"])


@pytest.mark.parametrize("path", _sssom_files(), ids=lambda p: p.name)
def test_no_restricted_labels_are_shipped(path: Path) -> None:
    doc = build.sssom_to_json(path.read_text(encoding="utf-8"))
    for m in doc["mappings"]:
        prefix = m["object_id"].partition(":")[0]
        label = m.get("object_label", "")
        if prefix in build.RESTRICTED_LABEL_PREFIXES:
            assert not label, f"{m['object_id']}: {prefix} labels may not be shipped"
        if prefix == "SNOMEDCT" and label:
            assert label in dicom_layer.dicom_meanings(m["object_id"]), (
                f"{m['object_id']}: not a DICOM meaning"
            )


def test_enums_file_shape(onto: build.Ontology) -> None:
    text = resources.enums_schema_path().read_text(encoding="utf-8")
    assert text.startswith("# GENERATED by `make gen`") and "Do not edit" in text.splitlines()[0]
    doc = yaml.safe_load(text)
    assert doc["prefixes"]["CIKG"] == namespaces.CIKG
    assert list(doc["enums"]) == list(onto.branches)
    for name, enum in doc["enums"].items():
        branch = onto.branches[name]
        assert set(enum["permissible_values"]) == set(onto.members(branch))
        for pv, spec in enum["permissible_values"].items():
            assert spec["meaning"] == f"CIKG:{pv}"


@pytest.mark.slow
def test_hermit_consistency(tmp_path: Path) -> None:
    """OWL 2 DL consistency with HermiT (owlready2; needs java), no unsatisfiable classes."""
    import owlready2
    from rdflib import Graph

    graph = Graph().parse(resources.ontology_path(), format="turtle")
    rdfxml = tmp_path / "cikg.owl"
    graph.serialize(rdfxml, format="xml")
    world = owlready2.World()
    ontology = world.get_ontology(rdfxml.as_uri()).load()
    assert len(list(ontology.classes())) >= 300
    with ontology:
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
