"""`cikg demo`: the federation is generated, harvested through the real harvesters and the SHACL gate,
and holds what the five AI4HI projects' sites would publish, each in its own coding habit."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pydicom
import pytest
import yaml

from cikg.catalogue import Catalogue
from cikg.demo import COLLECTIONS, NSCLC_ONLY, PROJECTS
from cikg.demo.build import demo_dir
from cikg.demo.clinical import PHI
from cikg.namespaces import CIKG
from tests.demo.conftest import SCALE, Demo

pytestmark = pytest.mark.slow  # one demo build per session (~20 s), then real processes

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
HAS_CONDITION = "https://hyperontology.eucaim.cancerimage.eu/#hasCondition"


def sources(demo: Demo) -> Path:
    return demo_dir(demo.data_dir) / "sources"


def collection_ids(cat: Catalogue) -> set[str]:
    res = cat.query(f"SELECT ?id WHERE {{ ?c a <{DCAT}Dataset> ; <{DCT}identifier> ?id }}")
    return {str(row["id"].value) for row in res.rows() if row["id"] is not None}


def test_every_collection_harvested_and_conforms(demo_catalogue: Catalogue) -> None:
    runs = {r.source.rsplit(":", 1)[-1]: r for r in demo_catalogue.harvest_status()}
    expected = {c.id for c in COLLECTIONS}
    assert set(runs) == expected
    assert {r.outcome for r in runs.values()} == {"conforms"}
    assert all(r.current for r in runs.values())
    for source in sorted(expected):
        assert demo_catalogue.validate_source(source).conforms, source


def test_five_projects_and_their_cancers(demo_catalogue: Catalogue) -> None:
    assert collection_ids(demo_catalogue) == {c.id for c in COLLECTIONS}
    res = demo_catalogue.query(
        f"SELECT ?kw (GROUP_CONCAT(STR(?cond); separator=' ') AS ?conds) WHERE {{ ?c a <{DCAT}Dataset> ; "
        f"<{DCAT}keyword> ?kw ; <{HAS_CONDITION}> ?cond }} GROUP BY ?kw"
    )
    by_project: dict[str, set[str]] = {}
    for row in res.rows():
        kw = str(row["kw"].value)
        if kw in PROJECTS:
            by_project[kw] = {c.removeprefix(CIKG) for c in str(row["conds"].value).split()}
    assert set(by_project) == set(PROJECTS)

    def covers(project: str, cancer: str) -> bool:
        return any(cancer in demo_catalogue.ancestors(c, include_self=True) for c in by_project[project])

    for project, cancers in {
        "CHAIMELEON": ("lung_cancer", "colorectal_cancer", "breast_cancer", "prostate_cancer"),
        "EuCanImage": ("liver_cancer", "colorectal_cancer", "breast_cancer"),
        "INCISIVE": ("lung_cancer", "colorectal_cancer", "breast_cancer", "prostate_cancer"),
        "ProCAncer-I": ("prostate_cancer",),
        "PRIMAGE": ("neuroblastoma", "diffuse_intrinsic_pontine_glioma"),
    }.items():
        for cancer in cancers:
            assert covers(project, cancer), (project, cancer)


def test_sites_code_their_own_way(demo: Demo) -> None:
    root = sources(demo)

    def meta(cid: str) -> dict[str, object]:
        return yaml.safe_load((root / cid / "meta.yaml").read_text(encoding="utf-8"))

    assert meta("chaimeleon-pisa-prostate-mri")["primary_cancer_condition"] == ["ICD10:C61"]
    assert meta("incisive-athens-lung-imaging")["primary_cancer_condition"] == ["SNOMEDCT:254637007"]
    assert meta("procancer-lisbon-prostate-mpmri")["primary_cancer_condition"] == ["OMOP:4163261"]
    assert meta("primage-paris-dipg")["primary_cancer_condition"] == ["NCIT:C94764"]
    assert meta("primage-valencia-neuroblastoma")["primary_cancer_condition"] == ["ICDO3:9500/3"]
    assert meta("chaimeleon-valencia-lung-imaging")["primary_cancer_condition"] == [
        "Carcinoma pulmonar no microcítico",
        "ADC pulmonar",
    ]
    # Valencia: a Spanish eCRF and the steward's reviewed SSSOM of its local terms
    ecrf = (root / "chaimeleon-valencia-lung-ecrf" / "ecrf.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(ecrf), delimiter=";"))
    assert {r["diagnostico"] for r in rows} - {""} == {"Carcinoma pulmonar no microcítico", "ADC pulmonar"}
    assert {r["sexo"] for r in rows} - {""} == {"Hombre", "Mujer"}
    sssom = (root / "chaimeleon-valencia-lung-ecrf" / "valencia.sssom.tsv").read_text(encoding="utf-8")
    assert (
        "LOCAL:condition/ADC%20pulmonar\tADC pulmonar\tcondition\tskos:exactMatch\tCIKG:lung_adenocarcinoma"
        in sssom
    )
    # Uppsala: an OMOP extract (concept ids)
    omop = list(csv.DictReader((root / "eucanimage-uppsala-breast-omop" / "omop_extract.csv").open()))
    assert {r["condition_concept_id"] for r in omop} == {"4112853"}
    assert {r["gender_concept_id"] for r in omop} == {"8532"}
    # Athens and Rotterdam: FHIR bundles coded with SNOMED CT
    bundle = json.loads(next((root / "incisive-athens-lung-fhir").glob("bundle-*.json")).read_text())
    codings = [
        c
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Condition"
        for c in e["resource"]["code"]["coding"]
    ]
    assert {c["system"] for c in codings} == {"http://snomed.info/sct"}
    assert {c["code"] for c in codings} <= {"254637007", "254626006"}


def test_dicom_headers_are_varied_and_realistic(demo: Demo) -> None:
    modalities: set[str] = set()
    vendors: set[str] = set()
    sequences: set[str] = set()
    ages: set[str] = set()
    sexes: set[str] = set()
    body_parts: set[str] = set()
    for path in sorted(sources(demo).glob("*/dicom/*/*.dcm")):
        ds = pydicom.dcmread(path)
        modalities.add(ds.Modality)
        vendors.add(ds.Manufacturer)
        body_parts.add(ds.BodyPartExamined)
        ages.add(ds.PatientAge)
        sexes.add(ds.PatientSex)
        assert "PixelData" not in ds
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        if ds.Modality == "MR":
            seq = ds.ScanningSequence
            sequences.update([seq] if isinstance(seq, str) else list(seq))
            assert float(ds.MagneticFieldStrength) in (1.5, 3.0)
    assert {"CT", "MR", "PT", "MG", "CR", "US", "SEG", "RTSTRUCT"} <= modalities
    assert len(vendors) >= 8
    assert {"SE", "GR", "EP", "IR"} <= sequences
    assert {"PROSTATE", "CHEST", "LIVER", "BREAST", "BRAIN", "ABDOMEN"} <= body_parts
    assert len(ages) > 20 and sexes == {"F", "M"}


def test_acquisition_semantics_are_mapped(demo_catalogue: Catalogue) -> None:
    res = demo_catalogue.query(
        "SELECT DISTINCT ?s WHERE { ?c <https://w3id.org/cikg/schema/acquisitionSemantics> ?s }"
    )
    found = {str(r["s"].value).removeprefix(CIKG) for r in res.rows()}
    assert {
        "spin_echo",
        "gradient_echo",
        "echo_planar",
        "inversion_recovery",
        "stir",
        "subtraction",
        "diffusion_weighted",
        "apparent_diffusion_coefficient",
        "flair",
    } <= found
    unmapped = []
    for report in (demo_catalogue.settings.data_dir / "harvest").glob("*/last-run.json"):
        unmapped += json.loads(report.read_text())["unmapped"]
    assert unmapped == []


def test_no_identifier_reaches_the_graph(demo_catalogue: Catalogue) -> None:
    out = io.BytesIO()
    demo_catalogue.export(out)
    text = out.getvalue().decode("utf-8")
    for marker in (PHI, "NHC01", "UPS01", "DEMO^SYNTHETIC", "2.25.1"):
        assert marker not in text


def collections_with_condition(cat: Catalogue, code: str, *, expand: bool) -> set[str]:
    """The acceptance check in SPARQL: collections whose condition is the concept ``code`` names (and,
    expanded, any of its descendants)."""
    concept = cat.term(code).concept.id
    concepts = cat.descendants(concept) if expand else [concept]
    values = " ".join(f"<{CIKG}{c}>" for c in concepts)
    res = cat.query(
        f"SELECT DISTINCT ?id WHERE {{ ?c a <{DCAT}Dataset> ; <{DCT}identifier> ?id ; <{HAS_CONDITION}> ?x . "
        f"VALUES ?x {{ {values} }} }}"
    )
    return {str(r["id"].value) for r in res.rows()}


@pytest.mark.parametrize(
    "code",
    ["ICD10:C34", "SNOMEDCT:363358000", "NCIT:C7377", "OMOP:443388", "lung cancer", "cáncer de pulmón"],
)
def test_lung_cancer_finds_nsclc_only_collections_with_expansion_only(
    demo_catalogue: Catalogue, code: str
) -> None:
    expanded = collections_with_condition(demo_catalogue, code, expand=True)
    exact = collections_with_condition(demo_catalogue, code, expand=False)
    assert set(NSCLC_ONLY) <= expanded
    assert not set(NSCLC_ONLY) & exact
    assert exact < expanded


def test_second_run_reuses_the_demo(demo: Demo) -> None:
    with Catalogue(demo.settings()) as cat:
        started = time.perf_counter()
        result = cat.build_demo(scale=SCALE)
        took = time.perf_counter() - started
    assert result["reused"] is True and took < 2.0
    assert "built the demo" in demo.build_output
