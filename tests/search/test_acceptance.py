"""Issue 5 acceptance: lung cancer by any code or label finds collections coded only with NSCLC or lung
adenocarcinoma (not with expansion off); a EUCAIM AST with nested OR inside AND answers like the
equivalent native query; unknown codes are named."""

from __future__ import annotations

from typing import Any

import pytest

from cikg.catalogue import Catalogue, InvalidRequest

LUNG_CODED = {"nsclc-es", "adeno-it"}  # coded only with NSCLC (SNOMED CT) / lung adenocarcinoma (label)


def ids(out: dict[str, Any]) -> set[str]:
    return {c["id"] for c in out["collections"]}


@pytest.mark.parametrize(
    "code",
    [
        "ICD10:C34",
        "C34",
        "SNOMEDCT:363358000",
        "NCIT:C7377",
        "EUCAIM:CLIN1000065",
        "MONDO:0008903",
        "lung_cancer",
        "Lung cancer",
        "cáncer de pulmón",
        "Lungenkrebs",
    ],
)
def test_lung_cancer_by_any_code_or_label_finds_nsclc_and_adenocarcinoma(
    search_catalogue: Catalogue, code: str
) -> None:
    out = search_catalogue.search({"query": {"field": "condition", "value": code}, "explain": True})
    found = ids(out)
    assert found >= LUNG_CODED
    assert not found & {"prostate-es", "breast-gr", "colorectal-it", "fhir-it"}
    expanded = out["explain"]["criteria"][0]["expanded"][code]
    assert expanded[0] == "lung_cancer"
    assert {"non_small_cell_lung_carcinoma", "lung_adenocarcinoma"} <= set(expanded)
    # with expansion off only a collection coded lung_cancer itself matches (the linked one)
    off = search_catalogue.search({"query": {"field": "condition", "value": code, "descendants": False}})
    assert not ids(off) & LUNG_CODED
    assert ids(off) == {"linked-gr"}


def test_omop_and_snomed_codes_of_a_descendant(search_catalogue: Catalogue) -> None:
    """The ontology maps no OMOP id to lung cancer itself; OMOP 4115276 (NSCLC) expands to NSCLC and
    lung adenocarcinoma, SNOMED 254637007 (NSCLC) likewise; without expansion NSCLC only."""
    for code in ("OMOP:4115276", "SNOMEDCT:254637007", "NCIT:C2926"):
        out = search_catalogue.search({"query": {"field": "condition", "value": code}})
        assert ids(out) >= LUNG_CODED, code
        off = search_catalogue.search({"query": {"field": "condition", "value": code, "descendants": False}})
        assert ids(off) == {"nsclc-es"}, code


def test_series_level_conditions_count_their_subjects(search_catalogue: Catalogue) -> None:
    """linked-gr's series carry their subjects' conditions (SCLC; breast; adenocarcinoma + breast; none):
    lung cancer counts the 2 lung subjects plus the one whose series say nothing (it falls back to the
    collection's conditions, lung and breast cancer)."""

    def linked(value: str, descendants: bool = True) -> dict[str, Any]:
        out = search_catalogue.search(
            {"query": {"field": "condition", "value": value, "descendants": descendants}}
        )
        return next((c for c in out["collections"] if c["id"] == "linked-gr"), {"subjects_count": 0})

    assert linked("lung_cancer")["subjects_count"] == 3
    assert linked("lung_cancer")["studies_count"] == 3
    assert linked("lung_cancer", descendants=False)["subjects_count"] == 1
    assert linked("small_cell_lung_carcinoma")["subjects_count"] == 1
    assert linked("breast_cancer")["subjects_count"] == 3


def test_subject_grain_counts(search_catalogue: Catalogue) -> None:
    all_ = {c["id"]: c for c in search_catalogue.search({"page_size": 0})["collections"]}
    ct = {
        c["id"]: c
        for c in search_catalogue.search({"query": {"field": "modality", "value": "CT"}})["collections"]
    }
    for cid, c in ct.items():
        assert 0 < c["subjects_count"] <= all_[cid]["subjects_count"]
        assert c["modalities"] == ["modality_ct"] or "modality_ct" in c["modalities"]
    # CT AND MR: subjects having both, so no more than either alone
    both = search_catalogue.search(
        {"query": {"and": [{"field": "modality", "value": "CT"}, {"field": "modality", "value": "MR"}]}}
    )
    for c in both["collections"]:
        assert c["subjects_count"] <= ct[c["id"]]["subjects_count"]


def native_equivalent() -> dict[str, Any]:
    return {
        "and": [
            {"field": "condition", "value": ["SNOMEDCT:363358000", "SNOMEDCT:399068003"]},
            {
                "or": [
                    {"field": "modality", "value": "RADLEX:RID10321"},
                    {"field": "sex", "value": "SNOMEDCT:248152002"},
                ]
            },
            {"field": "age", "min": 40, "max": 80},
        ]
    }


def test_eucaim_ast_with_nested_or_equals_native(search_catalogue: Catalogue) -> None:
    ast = {
        "id": "q-42",
        "ast": {
            "operand": "AND",
            "children": [
                {
                    "key": "SNOMEDCT439401001",
                    "system": "",
                    "type": "IN",
                    "value": ["SNOMEDCT363358000", "SNOMEDCT399068003"],
                },
                {
                    "operand": "OR",
                    "children": [
                        {
                            "key": "RID10311",
                            "system": "urn:oid:2.16.840.1.113883.6.256",
                            "type": "EQUALS",
                            "value": "RID10321",
                        },
                        {
                            "key": "SNOMEDCT263495000",
                            "system": "",
                            "type": "EQUALS",
                            "value": "SNOMEDCT248152002",
                        },
                    ],
                },
                {
                    "key": "SNOMEDCT423493009",
                    "system": "",
                    "type": "BETWEEN",
                    "value": {"min": 40, "max": 80},
                },
            ],
        },
    }
    eucaim = search_catalogue.search(ast)
    native = search_catalogue.search({"query": native_equivalent(), "page_size": 0})
    assert eucaim["id"] == "q-42"
    assert eucaim["collections"], "the query should find something"
    assert {c["id"] for c in eucaim["collections"]} == ids(native)
    by_id = {c["id"]: c for c in native["collections"]}
    for c in eucaim["collections"]:
        n = by_id[c["id"]]
        assert (c["subjects_count"], c["studies_count"]) == (n["subjects_count"], n["studies_count"])
        assert c["age_range"] == n["age_range"] and c["modalities"] == n["modalities"]
        assert set(c) >= {"id", "name", "description", "age_range", "gender", "body_parts"}
    assert eucaim["total"] == {
        "subjects_count": native["total"]["subjects_count"],
        "studies_count": native["total"]["studies_count"],
    }


def test_unknown_codes_are_named(search_catalogue: Catalogue) -> None:
    with pytest.raises(InvalidRequest) as err:
        search_catalogue.search(
            {
                "query": {
                    "and": [
                        {"field": "condition", "value": ["ICD10:Z99.9", "C34"]},
                        {"field": "modality", "value": "XYZ:1"},
                    ]
                }
            }
        )
    msg = str(err.value)
    assert "ICD10:Z99.9" in msg and "XYZ:1" in msg and "C34" not in msg.replace("ICD10:Z99.9", "")
    with pytest.raises(InvalidRequest, match="unknown field 'colour'"):
        search_catalogue.search({"query": {"field": "colour", "value": "red"}})
    with pytest.raises(InvalidRequest, match=r"DCM:CT"):
        search_catalogue.search({"query": {"field": "condition", "value": "DCM:CT"}})


def test_facets_sort_and_pages(search_catalogue: Catalogue) -> None:
    out = search_catalogue.search({"sort": "title:asc", "page": 2, "page_size": 3})
    assert out["total"]["collections"] == 7 and len(out["collections"]) == 3
    titles = [
        c["title"] for c in search_catalogue.search({"sort": "title:asc", "page_size": 0})["collections"]
    ]
    assert titles == sorted(titles, key=str.lower)
    assert [c["title"] for c in out["collections"]] == titles[3:6]
    facets = out["facets"]
    assert set(facets) >= {
        "condition",
        "modality",
        "body_part",
        "manufacturer",
        "sex",
        "country",
        "data_holder",
    }
    countries = {f["id"]: f for f in facets["country"]}
    assert set(countries) == {"ES", "IT", "GR"}
    assert countries["GR"]["collections"] == 2


def test_collection_summary(search_catalogue: Catalogue) -> None:
    c = search_catalogue.collection_summary("nsclc-es")
    assert c["id"] == "nsclc-es" and c["conditions"] == ["non_small_cell_lung_carcinoma"]
    assert c["data_holder"] == {"id": "hosp-es", "name": "Hospital Uno Valencia", "country": "ES"}
    assert c["subjects_count"] == 8 and c["facets"]["modality"]
    from cikg.catalogue import NotFound

    with pytest.raises(NotFound):
        search_catalogue.collection_summary("nope")
