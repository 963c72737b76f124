"""The fast schema-driven writer emits exactly the RDF LinkML's reference serialiser emits."""

from __future__ import annotations

import warnings
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from cikg import resources
from cikg.rdfmap import ModelError, RdfMapper

COLLECTION: dict[str, Any] = dict(
    id="http://node.example/collection/c1",
    identifier="c1",
    title="Lung CT",
    description="Thoracic CT",
    version="1.0.0",
    data_holder="http://node.example/holder/h1",
    access_rights="RESTRICTED",
    number_of_subjects=3,
    number_of_studies=4,
    number_of_series=9,
    primary_cancer_condition=["lung_cancer"],
    sex=["female", "male"],
    sex_count=[dict(concept="CIKG:female", count=2), dict(concept="CIKG:male", count=1)],
    min_typical_age=40,
    max_typical_age=77,
    age_bin=[dict(lower=40, upper=50, count=1)],
    image_modality=["modality_ct"],
    body_part=["bp_chest"],
    manufacturer=["siemens"],
    magnetic_field_strength=[1.5, 3.0],
    keyword=["lung", "CT"],
    issued="2020-01-02",
    temporal_coverage=dict(start_date="2020-01", end_date="2021-02"),
    license="https://creativecommons.org/licenses/by/4.0/",
    spatial_coverage=["ES"],
    contact_point=dict(fn="Imaging biobank team", email="mailto:biobank@example.org"),
    other_identifier=[dict(notation="10.7937/xyz", schema_agency="DOI")],
    health_category=["EHRS"],
    provenance=[dict(statement="Exported from the hospital PACS.")],
)
DISTRIBUTION: dict[str, Any] = dict(
    id="http://node.example/distribution/d1",
    access_url="https://negotiator.example.org/c1",
    access_condition=["REMOTE_PROCESSING"],
)
RUN: dict[str, Any] = dict(
    id="http://node.example/harvest/1",
    source="file:site-export",
    source_kind="dicom",
    harvester=dict(
        id="http://node.example/harvester/dicom", name="cikg dicom harvester", software_version="0.1"
    ),
    started_at="2026-05-04T09:00:00",
    ended_at="2026-05-04T09:07:00",
    validation_outcome="conforms",
)
SERIES: dict[str, Any] = dict(
    id="http://node.example/collection/c1/series/" + "a" * 64,
    is_part_of="http://node.example/collection/c1",
    series_key="a" * 64,
    study_key="b" * 64,
    subject_key="c" * 64,
    modality="modality_mr",
    body_part="bp_prostate",
    manufacturer="siemens",
    manufacturer_model_name="Skyra",
    magnetic_field_strength=3.0,
    acquisition_semantics=["t2_weighted", "diffusion_weighted"],
    contrast_agent=False,
    instance_count=24,
    acquisition_month="2020-03",
    subject_sex="male",
    subject_age=66,
)


def _ours(obj: dict[str, Any], cls: str) -> rdflib.Graph:
    data = ox.serialize(list(RdfMapper().triples(obj, cls)), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def _reference(obj: dict[str, Any], cls: str) -> rdflib.Graph:
    from linkml.generators.pythongen import PythonGenerator
    from linkml_runtime import SchemaView
    from linkml_runtime.dumpers import rdflib_dumper

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = PythonGenerator(str(resources.schema_path())).compile_module()
        sv = SchemaView(str(resources.schema_path()))
        instance = getattr(module, cls)(**obj)
        return rdflib_dumper.as_rdf_graph(instance, sv)


@pytest.mark.parametrize(
    ("obj", "cls"),
    [
        (COLLECTION, "Collection"),
        (SERIES, "SeriesSummary"),
        (DISTRIBUTION, "Distribution"),
        (RUN, "HarvestRun"),  # an enum without meanings (source kind) is written as text
    ],
)
def test_writer_matches_linkml_reference(obj: dict[str, Any], cls: str) -> None:
    ours, ref = _ours(obj, cls), _reference(obj, cls)
    assert len(ours) == len(ref)
    assert isomorphic(ours, ref), ours.serialize(format="turtle")


def test_unknown_slot_and_enum_value_are_clear_errors() -> None:
    with pytest.raises(ModelError, match="unknown slot 'colour'"):
        list(RdfMapper().triples({**SERIES, "colour": "red"}, "SeriesSummary"))
    with pytest.raises(ModelError, match="'XR' is not a permissible value"):
        list(RdfMapper().triples({**SERIES, "modality": "XR"}, "SeriesSummary"))


def test_enum_accepts_concept_curie() -> None:
    triples = list(RdfMapper().triples({**SERIES, "modality": "CIKG:modality_ct"}, "SeriesSummary"))
    assert any(t.object.value == "https://w3id.org/cikg/ontology/modality_ct" for t in triples)
