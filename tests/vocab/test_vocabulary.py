"""The term service on the fixture hyperontology: resolution, closure, search, translation, map_value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cikg.vocab import UnknownTerm, Vocabulary, VocabularyError
from cikg.vocab.text import normalize
from cikg.vocab.vocabulary import structural_parent

NSCLC = "non_small_cell_lung_carcinoma"


@pytest.mark.parametrize(
    "code",
    [
        "SNOMEDCT:254637007",
        "NCIT:C2926",
        "OMOP:4115276",
        "MONDO:0005233",
        "ICDO3:8046/3",
        "snomed:254637007",
        "SCTID:254637007",
        "ncit:c2926",
        "http://snomed.info/id/254637007",
        "http://purl.obolibrary.org/obo/NCIT_C2926",
        "254637007",
        "CIKG:non_small_cell_lung_carcinoma",
        "https://w3id.org/cikg/ontology/non_small_cell_lung_carcinoma",
        NSCLC,
    ],
)
def test_nsclc_codes_resolve_to_one_concept(vocab: Vocabulary, code: str) -> None:
    assert vocab.resolve(code).id == NSCLC


def test_icd10_c34_resolves_by_the_strongest_mapping_and_says_so(vocab: Vocabulary) -> None:
    # ICD10:C34 is exactMatch of lung_cancer and broadMatch of NSCLC (and of the other subtypes)
    res = vocab.resolve_match("ICD10:C34")
    assert res.concept.id == "lung_cancer"
    assert res.predicate == "skos:exactMatch"
    assert "cikg_icd10" in res.source
    assert NSCLC in vocab.descendants(res.concept.id)
    assert any(c.id == NSCLC and p == "skos:broadMatch" for c, p, _ in vocab.mappings_to("ICD10:C34"))


def test_subdivided_icd10_code_falls_under_its_category(vocab: Vocabulary) -> None:
    res = vocab.resolve_match("ICD10:C34.1")
    assert res.concept.id == "lung_cancer"
    assert res.predicate == "skos:narrowMatch"
    assert "ICD10:C34" in res.via
    assert structural_parent("ICD10:C34.12") == "ICD10:C34.1"
    assert structural_parent("SNOMEDCT:1") is None


def test_eucaim_and_radlex_codes(vocab: Vocabulary) -> None:
    assert vocab.resolve("EUCAIM:CLIN1000065").id == "lung_cancer"
    assert vocab.resolve("RADLEX:RID10312").id == "modality_mr"
    assert vocab.resolve("RID:10312").id == "modality_mr"
    assert vocab.resolve("ICDO3:8140/3").id == "malignant_neoplasm"  # broader than two adenocarcinomas


@pytest.mark.parametrize(
    "label",
    [
        "Carcinoma de pulmón de células no pequeñas",
        "carcinoma de pulmon de celulas no pequenas",
        "Μη μικροκυτταρικό καρκίνωμα του πνεύμονα",
        "ΜΗ ΜΙΚΡΟΚΥΤΤΑΡΙΚΟ ΚΑΡΚΙΝΩΜΑ ΤΟΥ ΠΝΕΥΜΟΝΑ",
        "NSCLC",
        "CBNPC",
    ],
)
def test_labels_in_any_language_resolve(vocab: Vocabulary, label: str) -> None:
    assert vocab.resolve(label).id == NSCLC


def test_unknown_terms_name_the_term(vocab: Vocabulary) -> None:
    with pytest.raises(UnknownTerm, match=r"unknown code ICD10:C99\.9"):
        vocab.resolve("ICD10:C99.9")
    with pytest.raises(UnknownTerm, match="FOO"):
        vocab.resolve("FOO:123")
    with pytest.raises(UnknownTerm, match="did you mean CIKG:lung_cancer"):
        vocab.resolve("lng cancer")
    with pytest.raises(UnknownTerm):
        vocab.descendants("no_such_concept")


def test_closure(vocab: Vocabulary) -> None:
    lung = vocab.descendants("lung_cancer")
    assert {NSCLC, "lung_adenocarcinoma", "small_cell_lung_carcinoma", "lung_cancer"} <= lung
    assert "breast_cancer" not in lung
    assert "lung_cancer" not in vocab.descendants("lung_cancer", include_self=False)
    assert vocab.ancestors("lung_adenocarcinoma") == {
        NSCLC,
        "lung_cancer",
        "malignant_neoplasm",
        "neoplasm",
        "condition",
    }
    assert vocab.branch_of("lung_adenocarcinoma") == "condition"
    assert vocab.branch_of("bp_lung") == "body_structure"
    codes = vocab.descendants("lung_cancer", include_codes=True)
    assert {"SNOMEDCT:254637007", "NCIT:C3512", "ICD10:C34"} <= codes


def test_search_is_ranked_accent_insensitive_and_typo_tolerant(vocab: Vocabulary) -> None:
    assert vocab.search("lung adeno")[0].id == "lung_adenocarcinoma"
    assert vocab.search("cancer de pulmon")[0].id == "lung_cancer"
    assert vocab.search("καρκινος του πνευμ")[0].id == "lung_cancer"
    assert vocab.search("Lungenkrebs")[0].id == "lung_cancer"
    assert vocab.search("lugn cancr")[0].id == "lung_cancer"
    assert vocab.search("prostat", branch="body_part")[0].id == "bp_prostate"
    assert all(h.branch == "condition" for h in vocab.search("prostat", branch="condition"))
    es = vocab.search("pulm", lang="es")
    assert es and all(h.lang in ("es", None) for h in es)
    assert vocab.search("") == []
    with pytest.raises(VocabularyError, match="unknown branch"):
        vocab.search("x", branch="nonsense")


def test_normalize() -> None:
    assert normalize("Cáncer de PULMÓN") == "cancer de pulmon"
    assert normalize("Καρκίνος του πνεύμονα") == "καρκινοσ του πνευμονα"  # final sigma folded
    assert normalize("ΟΓΚΟΣ") == normalize("όγκος")
    assert normalize("T2-weighted, axial") == "t2 weighted axial"
    assert normalize("ICDO 8140/3") == "icdo 8140/3"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZé ς_-./+*0\t\u0301ΣﬁßÅ", max_size=14))
def test_normalize_fast_paths_agree_with_the_full_rules(text: str) -> None:
    """ASCII folding and the already-plain shortcut give what the full rules give."""
    import re
    import unicodedata

    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    spaced = re.sub(r"[^\w/.+]+|_", " ", folded)
    spaced = re.sub(r"(?:(?<=\s)|^)[./+]+|[./+]+(?=\s|$)", " ", spaced)
    assert normalize(text) == re.sub(r"\s+", " ", spaced).strip()


def test_translate_carries_predicate_and_source(vocab: Vocabulary) -> None:
    res, codes = vocab.translate("ICD10:C34.1")
    assert res.concept.id == "lung_cancer"
    by_code = {t.code: t for t in codes}
    assert by_code["SNOMEDCT:363358000"].predicate == "skos:exactMatch"
    assert by_code["NCIT:C7377"].scheme == "NCIT"
    assert by_code["SNOMEDCT:93880001"].predicate == "skos:closeMatch"
    assert all(t.source for t in codes)
    _, only = vocab.translate("NCIT:C2926", to="omop")
    assert [t.code for t in only] == ["OMOP:4115276"]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("modality", "MR", "modality_mr"),
        ("modality", "CT", "modality_ct"),
        ("modality", "XX", None),
        ("body_part", "CHEST", "bp_chest"),
        ("body_part", "PROSTATE", "bp_prostate"),
        ("body_part", "pulmón", "bp_lung"),
        ("body_part", "lung cancer", None),  # a condition, not a body part
        ("manufacturer", "SIEMENS", "siemens"),
        ("manufacturer", "GE MEDICAL SYSTEMS", "ge_healthcare"),
        ("manufacturer", "Siemens Healthcare GmbH", "siemens"),
        ("manufacturer", "Siemans", None),  # no fuzzy guessing when harvesting
        ("sex", "F", "female"),
        ("sex", "W", "female"),
        ("sex", "m", "male"),
        ("sex", "female", "female"),
        ("laterality", "L", "left"),
        ("sop_class", "1.2.840.10008.5.1.4.1.1.66.4", "sop_segmentation_storage"),
        ("acquisition_semantics", "T2", "t2_weighted"),
        ("acquisition_semantics", "DWI", "diffusion_weighted"),
        ("acquisition_semantics", "ADC", "apparent_diffusion_coefficient"),
        ("condition", "ICD10:C34", "lung_cancer"),
        ("condition", "C34.1", "lung_cancer"),
        ("condition", "SNOMEDCT:254637007", NSCLC),
        ("condition", "Cáncer de mama", "breast_cancer"),
        ("condition", "ICD10:C99.9", None),
        ("condition", "", None),
    ],
)
def test_map_value(vocab: Vocabulary, kind: str, value: str, expected: str | None) -> None:
    assert vocab.map_value(kind, value) == expected


def test_map_value_unknown_kind(vocab: Vocabulary) -> None:
    with pytest.raises(VocabularyError, match="unknown kind"):
        vocab.map_value("colour", "red")


def test_imported_terms_are_packed_and_come_back_equal() -> None:
    import pickle

    from cikg.vocab.model import Concept, ImportedTerms, Packed

    terms = ImportedTerms()
    term = Concept(
        "SNOMEDCT:1",
        "http://snomed.info/id/1",
        "SNOMEDCT:1",
        {"en": 'Lung "quoted" cancer', "es": "Cáncer de pulmón"},
        {"en": ("syn a", "syn b")},
        "a definition",
        ("SNOMEDCT:2",),
        ("1",),
        imported=True,
        source="vocab-snomed",
    )
    terms["SNOMEDCT:1"] = term
    again = pickle.loads(pickle.dumps(terms))
    assert again["SNOMEDCT:1"] == term and "SNOMEDCT:1" in again and len(again) == 1
    assert again.get("SNOMEDCT:3") is None and list(again) == ["SNOMEDCT:1"]
    with pytest.raises(ValueError, match="not an imported term"):
        terms["CIKG:x"] = Concept("x", "https://w3id.org/cikg/ontology/x", "CIKG:x", {"en": "x"})
    packed = pickle.loads(pickle.dumps(Packed({"a": [("b", "skos:exactMatch", "s")], "c": ["d", "e"]})))
    assert packed["a"] == [("b", "skos:exactMatch", "s")] and packed.get("c") == ["d", "e"]
    assert packed.get("z", ()) == () and len(packed) == 2
