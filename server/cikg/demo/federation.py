"""The demo federation: five AI4HI projects, their (synthetic) sites and each site's coding habits.

Everything here is data. The projects and the cancers they cover are real (CHAIMELEON, EuCanImage,
INCISIVE, ProCAncer-I, PRIMAGE); the sites, people and images are made up ("demo site" in every name).
Each site codes its collection the way it does at home: ICD-10, SNOMED CT, NCIt, ICD-O-3, OMOP concept
ids, or local Spanish terms that its data steward mapped in an SSSOM file. Two lung collections are
coded only with NSCLC / lung adenocarcinoma (never "lung cancer"), so a search for lung cancer finds
them through the hyperontology, and only through it.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- image series kinds ----------------------------------------------------------------------------------

CT = "1.2.840.10008.5.1.4.1.1.2"
MR = "1.2.840.10008.5.1.4.1.1.4"
PET = "1.2.840.10008.5.1.4.1.1.128"
MG = "1.2.840.10008.5.1.4.1.1.1.2"
CR = "1.2.840.10008.5.1.4.1.1.1"
US = "1.2.840.10008.5.1.4.1.1.6.1"
SEG = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT = "1.2.840.10008.5.1.4.1.1.481.3"


@dataclass(frozen=True)
class SeriesKind:
    """One kind of series in a study protocol: its header attributes (DICOM keywords and values)."""

    template: str
    """Which pydicom test file the header is modelled on (see :mod:`cikg.demo.dicom`)."""
    modality: str
    sop_class: str
    description: str
    body_part: str
    attrs: tuple[tuple[str, object], ...] = ()
    instances: int = 3
    """Instances per series at the default scale (large scales write one per series)."""


def _mr(description: str, body_part: str, seq: str, variant: str, *attrs: tuple[str, object]) -> SeriesKind:
    extra = dict(attrs)
    image_type = extra.pop("ImageType", ("ORIGINAL", "PRIMARY", "M", "ND"))
    return SeriesKind(
        "mr",
        "MR",
        MR,
        description,
        body_part,
        (
            ("ScanningSequence", tuple(seq.split("\\"))),
            ("SequenceVariant", tuple(variant.split("\\"))),
            ("ImageType", image_type),
            *extra.items(),
        ),
    )


def _ct(description: str, body_part: str, contrast: bool = False) -> SeriesKind:
    attrs: list[tuple[str, object]] = [("ImageType", ("ORIGINAL", "PRIMARY", "AXIAL"))]
    if contrast:
        attrs.append(("ContrastBolusAgent", "IOMEPROL"))
    return SeriesKind("ct", "CT", CT, description, body_part, tuple(attrs))


GADO = ("ContrastBolusAgent", "GADOBUTROL")
T2_TSE = "SE", "SK\\SP\\OSP"
# MR protocols
PROSTATE_MPMRI = (
    _mr("localizer", "PROSTATE", "GR", "SP", ("ImageType", ("ORIGINAL", "PRIMARY", "LOCALIZER"))),
    _mr("t2_tse_tra", "PROSTATE", *T2_TSE),
    _mr("t2_tse_sag", "PROSTATE", *T2_TSE),
    _mr("ep2d_diff_b50_800_1400", "PROSTATE", "EP", "SK\\SP", ("DiffusionBValue", 1400.0)),
    _mr(
        "ep2d_diff_ADC", "PROSTATE", "EP", "SK\\SP", ("ImageType", ("DERIVED", "PRIMARY", "DIFFUSION", "ADC"))
    ),
    _mr("t1_vibe_dyn_DCE", "PROSTATE", "GR", "SP\\SS", GADO),
)
LIVER_MR = (
    _mr("t2_haste_tra", "LIVER", *T2_TSE),
    _mr("t1_vibe_fs_tra_pre", "LIVER", "GR", "SP\\SS"),
    _mr("t1_vibe_fs_tra_art", "LIVER", "GR", "SP\\SS", GADO),
    _mr(
        "t1_vibe_SUB_art", "LIVER", "GR", "SP\\SS", GADO, ("ImageType", ("DERIVED", "PRIMARY", "SUBTRACTION"))
    ),
    _mr("ep2d_diff_b50_800", "LIVER", "EP", "SK\\SP", ("DiffusionBValue", 800.0)),
)
BREAST_MR = (
    _mr("t2_stir_tra", "BREAST", "IR", "SK\\SP"),
    _mr("t1_fl3d_dyn", "BREAST", "GR", "SP", GADO),
    _mr("t1_fl3d_SUB", "BREAST", "GR", "SP", GADO, ("ImageType", ("DERIVED", "PRIMARY", "SUBTRACTION"))),
)
BRAIN_MR = (
    _mr("T1 SE AX", "BRAIN", "SE", "SP"),
    _mr("T2 TSE AX", "BRAIN", *T2_TSE),
    _mr("T2 FLAIR AX", "BRAIN", "SE\\IR", "SK\\SP\\MP"),
    _mr("DWI b1000", "BRAIN", "EP", "SK\\SP", ("DiffusionBValue", 1000.0)),
    _mr("T1 SE AX +C", "BRAIN", "SE", "SP", GADO),
    _mr("T2* GRE", "BRAIN", "GR", "SP"),
)
ABDOMEN_PAEDIATRIC_MR = (
    _mr("T2 STIR COR", "ABDOMEN", "IR", "SK\\SP"),
    _mr("T2 TSE AX", "ABDOMEN", *T2_TSE),
    _mr("DWI b800", "ABDOMEN", "EP", "SK\\SP", ("DiffusionBValue", 800.0)),
    _mr("T1 GRE +C", "ABDOMEN", "GR", "SP", GADO),
)
# other protocols
CHEST_CT = (_ct("CT THORAX SIN CONTRASTE", "CHEST"), _ct("CT THORAX CON CONTRASTE", "CHEST", True))
CHEST_CT_EN = (_ct("CT CHEST LUNG WINDOW", "CHEST"), _ct("CT CHEST W CONTRAST", "CHEST", True))
PET_CT = (
    SeriesKind("ct", "PT", PET, "PET WB FDG AC", "WHOLEBODY", (("ImageType", ("ORIGINAL", "PRIMARY")),)),
    _ct("CT WB LOW DOSE AC", "WHOLEBODY"),
)
ABDOMEN_CT = (_ct("CT ABDOMEN PORTAL VENOUS", "ABDOMEN", True),)
COLON_CT = (_ct("CT COLONOGRAPHY", "COLON"), _ct("CT ABD PELVIS W CONTRAST", "ABDOMEN", True))
MAMMOGRAPHY = tuple(
    SeriesKind(
        "ct",
        "MG",
        MG,
        f"{side} {view}",
        "BREAST",
        (("ImageLaterality", side), ("ViewPosition", view), ("ImageType", ("ORIGINAL", "PRIMARY"))),
        instances=1,
    )
    for side in ("L", "R")
    for view in ("CC", "MLO")
)
BREAST_US = (SeriesKind("us", "US", US, "US MAMA", "BREAST", instances=2),)
CHEST_CR = (SeriesKind("ct", "CR", CR, "TORAX PA", "CHEST", (("ViewPosition", "PA"),), instances=1),)
PROSTATE_SEG = SeriesKind(
    "seg", "SEG", SEG, "Prostate lesion segmentation (PI-RADS)", "PROSTATE", instances=1
)
LIVER_SEG = SeriesKind("seg", "SEG", SEG, "Liver tumour segmentation", "LIVER", instances=1)
BRAIN_RTSTRUCT = SeriesKind("rtstruct", "RTSTRUCT", RTSTRUCT, "Tumour contours", "BRAIN", instances=1)
NB_RTSTRUCT = SeriesKind("rtstruct", "RTSTRUCT", RTSTRUCT, "Tumour contours", "ABDOMEN", instances=1)


@dataclass(frozen=True)
class Scanner:
    manufacturer: str
    model: str
    field_strength: float | None = None


SIEMENS_3T = Scanner("SIEMENS", "Skyra", 3.0)
SIEMENS_15T = Scanner("SIEMENS", "Aera", 1.5)
PHILIPS_3T = Scanner("Philips Medical Systems", "Ingenia", 3.0)
PHILIPS_15T = Scanner("Philips", "Achieva", 1.5)
GE_3T = Scanner("GE MEDICAL SYSTEMS", "DISCOVERY MR750", 3.0)
GE_15T = Scanner("GE MEDICAL SYSTEMS", "SIGNA HDxt", 1.5)
TOSHIBA_15T = Scanner("TOSHIBA_MEC", "Vantage Titan", 1.5)
CT_SCANNERS = (
    Scanner("SIEMENS", "SOMATOM Definition AS"),
    Scanner("GE MEDICAL SYSTEMS", "Revolution CT"),
    Scanner("Philips", "iCT 256"),
    Scanner("TOSHIBA", "Aquilion ONE"),
    Scanner("Canon Medical Systems", "Aquilion Prime SP"),
)
PET_SCANNERS = (Scanner("GE MEDICAL SYSTEMS", "Discovery MI"), Scanner("SIEMENS", "Biograph mCT"))
MG_SCANNERS = (
    Scanner("HOLOGIC, Inc.", "Selenia Dimensions"),
    Scanner("FUJIFILM Corporation", "AMULET Innovality"),
)
US_SCANNERS = (Scanner("Philips Medical Systems", "EPIQ 7"), Scanner("GE Healthcare", "LOGIQ E9"))
CR_SCANNERS = (Scanner("Carestream Health", "DRX-Evolution"), Scanner("Agfa", "DX-D 300"))


@dataclass(frozen=True)
class Protocol:
    """A study: its series kinds, the scanners that may acquire it, and how often sites use it."""

    series: tuple[SeriesKind, ...]
    scanners: tuple[Scanner, ...]
    weight: float = 1.0
    annotation: SeriesKind | None = None
    """A segmentation / structure set added to some studies (one in three)."""


# -- sites and collections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    id: str
    name: str
    country: str
    city: str


@dataclass(frozen=True)
class Habit:
    """How a site codes things: shown in its sources, read by the harvesters."""

    name: str
    """e.g. "ICD-10", "SNOMED CT", "local Spanish terms + SSSOM"."""
    conditions: tuple[str, ...]
    """The condition codes the site writes (CURIEs, or local terms for the steward-mapped site)."""


@dataclass(frozen=True)
class CollectionSpec:
    id: str
    project: str
    title: str
    holder: Holder
    habit: Habit
    kind: str
    """``dicom``, ``csv`` or ``fhir``: which harvester reads it."""
    description: str
    weight: float = 1.0
    """Share of the series budget (imaging) or of the persons (clinical)."""
    protocols: tuple[Protocol, ...] = ()
    ages: tuple[int, int] = (45, 85)
    female: float = 0.5
    years: tuple[int, int] = (2012, 2022)
    keywords: tuple[str, ...] = ()
    access_rights: str = "RESTRICTED"
    """EUCAIM / HealthDCAT-AP access level: PUBLIC, RESTRICTED or NON_PUBLIC."""


VALENCIA = Holder("demo-valencia", "Demo site Valencia (CHAIMELEON / PRIMAGE)", "ES", "Valencia")
PISA = Holder("demo-pisa", "Demo site Pisa (CHAIMELEON)", "IT", "Pisa")
PORTO = Holder("demo-porto", "Demo site Porto (CHAIMELEON)", "PT", "Porto")
ROTTERDAM = Holder("demo-rotterdam", "Demo site Rotterdam (EuCanImage)", "NL", "Rotterdam")
UPPSALA = Holder("demo-uppsala", "Demo site Uppsala (EuCanImage)", "SE", "Uppsala")
ATHENS = Holder("demo-athens", "Demo site Athens (INCISIVE)", "GR", "Athens")
BELGRADE = Holder("demo-belgrade", "Demo site Belgrade (INCISIVE)", "RS", "Belgrade")
NAPLES = Holder("demo-naples", "Demo site Naples (INCISIVE)", "IT", "Naples")
LISBON = Holder("demo-lisbon", "Demo site Lisbon (ProCAncer-I)", "PT", "Lisbon")
HERAKLION = Holder("demo-heraklion", "Demo site Heraklion (ProCAncer-I)", "GR", "Heraklion")
PARIS = Holder("demo-paris", "Demo site Paris (PRIMAGE)", "FR", "Paris")

LOCAL_ES = "local Spanish terms (steward's SSSOM)"
NSCLC_ES = "Carcinoma pulmonar no microcítico"
ADENO_ES = "ADC pulmonar"

MR_3T = (SIEMENS_3T, PHILIPS_3T, GE_3T)
MR_ALL = (SIEMENS_3T, SIEMENS_15T, PHILIPS_3T, PHILIPS_15T, GE_3T, GE_15T, TOSHIBA_15T)

COLLECTIONS: tuple[CollectionSpec, ...] = (
    # CHAIMELEON: lung, colorectal, breast, prostate
    CollectionSpec(
        "chaimeleon-valencia-lung-imaging",
        "CHAIMELEON",
        "CHAIMELEON lung cancer CT and PET-CT (demo site Valencia)",
        VALENCIA,
        Habit(LOCAL_ES, (NSCLC_ES, ADENO_ES)),
        "dicom",
        "Chest CT and FDG PET-CT of patients with non-small cell lung carcinoma, coded with the "
        "hospital's local Spanish terms.",
        weight=1.2,
        protocols=(
            Protocol(CHEST_CT, CT_SCANNERS, 3),
            Protocol(PET_CT, PET_SCANNERS, 1),
            Protocol(CHEST_CR, CR_SCANNERS, 0.5),
        ),
        keywords=("lung", "NSCLC", "CT", "PET"),
    ),
    CollectionSpec(
        "chaimeleon-valencia-lung-ecrf",
        "CHAIMELEON",
        "CHAIMELEON lung cancer eCRF (demo site Valencia)",
        VALENCIA,
        Habit(LOCAL_ES, (NSCLC_ES, ADENO_ES)),
        "csv",
        "Clinical case report forms (eCRF export) of the Valencia lung cohort, in Spanish.",
        weight=1.0,
        keywords=("lung", "eCRF", "clinical data"),
    ),
    CollectionSpec(
        "chaimeleon-pisa-prostate-mri",
        "CHAIMELEON",
        "CHAIMELEON prostate cancer MRI (demo site Pisa)",
        PISA,
        Habit("ICD-10", ("ICD10:C61",)),
        "dicom",
        "Multiparametric prostate MRI (T2, DWI, ADC, DCE), coded with ICD-10.",
        weight=1.0,
        protocols=(Protocol(PROSTATE_MPMRI, MR_ALL, 1, PROSTATE_SEG),),
        female=0.0,
        ages=(50, 82),
    ),
    CollectionSpec(
        "chaimeleon-porto-breast-colorectal",
        "CHAIMELEON",
        "CHAIMELEON breast and colorectal cancer imaging (demo site Porto)",
        PORTO,
        Habit("ICD-10", ("ICD10:C50.9", "ICD10:C18.7", "ICD10:C20")),
        "dicom",
        "Mammography and breast MRI, CT and MRI of colorectal cancer, coded with ICD-10.",
        weight=0.9,
        protocols=(
            Protocol(MAMMOGRAPHY, MG_SCANNERS, 2),
            Protocol(BREAST_MR, MR_3T, 1),
            Protocol(COLON_CT, CT_SCANNERS, 2),
        ),
        female=0.75,
    ),
    # EuCanImage: liver, colorectal, breast
    CollectionSpec(
        "eucanimage-rotterdam-liver-imaging",
        "EuCanImage",
        "EuCanImage liver cancer MRI and CT (demo site Rotterdam)",
        ROTTERDAM,
        Habit("SNOMED CT", ("SNOMEDCT:93870000", "SNOMEDCT:363510005")),
        "dicom",
        "Liver MRI (dynamic contrast-enhanced, subtraction, DWI) and portal-venous CT of primary liver "
        "cancer and colorectal liver metastases, coded with SNOMED CT.",
        weight=1.0,
        protocols=(Protocol(LIVER_MR, MR_ALL, 2, LIVER_SEG), Protocol(ABDOMEN_CT, CT_SCANNERS, 1)),
        female=0.35,
    ),
    CollectionSpec(
        "eucanimage-rotterdam-liver-fhir",
        "EuCanImage",
        "EuCanImage liver cancer clinical data (FHIR, demo site Rotterdam)",
        ROTTERDAM,
        Habit("SNOMED CT", ("SNOMEDCT:93870000", "SNOMEDCT:363510005")),
        "fhir",
        "Patients, diagnoses and imaging studies of the Rotterdam liver cohort as FHIR R4 bundles.",
        weight=0.6,
        female=0.35,
        access_rights="NON_PUBLIC",
    ),
    CollectionSpec(
        "eucanimage-uppsala-breast-imaging",
        "EuCanImage",
        "EuCanImage breast cancer mammography, ultrasound and MRI (demo site Uppsala)",
        UPPSALA,
        Habit("OMOP concept ids", ("OMOP:4112853",)),
        "dicom",
        "Screening and diagnostic mammography, breast ultrasound and breast MRI, coded with OMOP "
        "standard concept ids.",
        weight=1.0,
        protocols=(
            Protocol(MAMMOGRAPHY, MG_SCANNERS, 2),
            Protocol(BREAST_US, US_SCANNERS, 2),
            Protocol(BREAST_MR, MR_3T, 1),
        ),
        female=1.0,
        ages=(40, 80),
        access_rights="PUBLIC",
    ),
    CollectionSpec(
        "eucanimage-uppsala-breast-omop",
        "EuCanImage",
        "EuCanImage breast cancer clinical data (OMOP extract, demo site Uppsala)",
        UPPSALA,
        Habit("OMOP concept ids", ("OMOP:4112853",)),
        "csv",
        "An extract of the site's OMOP CDM (person, condition_occurrence, image_occurrence) as CSV.",
        weight=0.6,
        female=1.0,
        ages=(40, 80),
    ),
    # INCISIVE: lung, colorectal, breast, prostate
    CollectionSpec(
        "incisive-athens-lung-imaging",
        "INCISIVE",
        "INCISIVE non-small cell lung cancer CT and PET-CT (demo site Athens)",
        ATHENS,
        Habit("SNOMED CT", ("SNOMEDCT:254637007",)),
        "dicom",
        "Chest CT and PET-CT of non-small cell lung carcinoma, coded with SNOMED CT.",
        weight=1.0,
        protocols=(Protocol(CHEST_CT_EN, CT_SCANNERS, 2), Protocol(PET_CT, PET_SCANNERS, 1)),
        female=0.35,
    ),
    CollectionSpec(
        "incisive-athens-lung-fhir",
        "INCISIVE",
        "INCISIVE lung cancer clinical data (FHIR, demo site Athens)",
        ATHENS,
        Habit("SNOMED CT", ("SNOMEDCT:254637007", "SNOMEDCT:254626006")),
        "fhir",
        "Patients, diagnoses (NSCLC, lung adenocarcinoma) and imaging studies as FHIR R4 bundles.",
        weight=0.6,
        female=0.35,
    ),
    CollectionSpec(
        "incisive-belgrade-colorectal-breast",
        "INCISIVE",
        "INCISIVE colorectal and breast cancer imaging (demo site Belgrade)",
        BELGRADE,
        Habit("ICD-10", ("ICD10:C18.9", "ICD10:C50.9")),
        "dicom",
        "CT of colorectal cancer and mammography of breast cancer, coded with ICD-10.",
        weight=0.8,
        protocols=(Protocol(COLON_CT, CT_SCANNERS, 1), Protocol(MAMMOGRAPHY, MG_SCANNERS, 1)),
        female=0.6,
    ),
    CollectionSpec(
        "incisive-naples-prostate-mri",
        "INCISIVE",
        "INCISIVE prostate cancer MRI (demo site Naples)",
        NAPLES,
        Habit("NCIt", ("NCIT:C7378",)),
        "dicom",
        "Prostate MRI coded with NCI Thesaurus codes.",
        weight=0.7,
        protocols=(Protocol(PROSTATE_MPMRI, (SIEMENS_15T, GE_15T, PHILIPS_15T), 1),),
        female=0.0,
        ages=(50, 85),
    ),
    # ProCAncer-I: prostate
    CollectionSpec(
        "procancer-lisbon-prostate-mpmri",
        "ProCAncer-I",
        "ProCAncer-I prostate cancer mpMRI (demo site Lisbon)",
        LISBON,
        Habit("OMOP concept ids", ("OMOP:4163261",)),
        "dicom",
        "Multiparametric prostate MRI with PI-RADS lesion segmentations, coded with OMOP concept ids.",
        weight=1.6,
        protocols=(Protocol(PROSTATE_MPMRI, MR_3T, 1, PROSTATE_SEG),),
        female=0.0,
        ages=(48, 84),
    ),
    CollectionSpec(
        "procancer-heraklion-prostate-mpmri",
        "ProCAncer-I",
        "ProCAncer-I prostate adenocarcinoma mpMRI (demo site Heraklion)",
        HERAKLION,
        Habit("SNOMED CT", ("SNOMEDCT:399490008",)),
        "dicom",
        "Multiparametric prostate MRI of biopsy-proven adenocarcinoma, coded with SNOMED CT.",
        weight=1.0,
        protocols=(Protocol(PROSTATE_MPMRI, MR_ALL, 1, PROSTATE_SEG),),
        female=0.0,
        ages=(50, 80),
    ),
    # PRIMAGE: neuroblastoma, DIPG
    CollectionSpec(
        "primage-valencia-neuroblastoma",
        "PRIMAGE",
        "PRIMAGE neuroblastoma MRI and CT (demo site Valencia)",
        VALENCIA,
        Habit("ICD-O-3", ("ICDO3:9500/3",)),
        "dicom",
        "Paediatric abdominal MRI and CT of neuroblastoma, coded with ICD-O-3 morphology.",
        weight=0.6,
        protocols=(
            Protocol(ABDOMEN_PAEDIATRIC_MR, MR_ALL, 2, NB_RTSTRUCT),
            Protocol(ABDOMEN_CT, CT_SCANNERS, 1),
        ),
        ages=(0, 12),
        years=(2010, 2021),
    ),
    CollectionSpec(
        "primage-paris-dipg",
        "PRIMAGE",
        "PRIMAGE diffuse intrinsic pontine glioma MRI (demo site Paris)",
        PARIS,
        Habit("NCIt", ("NCIT:C94764",)),
        "dicom",
        "Paediatric brain MRI (T1, T2, FLAIR, DWI, post-contrast T1) of DIPG with tumour contours, coded "
        "with NCI Thesaurus codes.",
        weight=0.5,
        protocols=(Protocol(BRAIN_MR, MR_ALL, 1, BRAIN_RTSTRUCT),),
        ages=(3, 14),
        years=(2011, 2021),
    ),
)
PROJECTS = ("CHAIMELEON", "EuCanImage", "INCISIVE", "ProCAncer-I", "PRIMAGE")
NSCLC_ONLY = (
    "chaimeleon-valencia-lung-imaging",
    "chaimeleon-valencia-lung-ecrf",
    "incisive-athens-lung-imaging",
    "incisive-athens-lung-fhir",
)
"""Collections coded only with NSCLC / lung adenocarcinoma (the search acceptance test's targets)."""

DEFAULT_SERIES = 2000
"""Image series of the default demo (spread over the imaging collections by weight)."""
PERSONS_PER_WEIGHT = 150
"""Persons of a clinical collection of weight 1 (clinical sources do not grow with ``--scale``)."""


def imaging() -> list[CollectionSpec]:
    return [c for c in COLLECTIONS if c.kind == "dicom"]


def series_budget(total: int) -> dict[str, int]:
    """Series per imaging collection for a demo of ``total`` series (weights, at least 20 each)."""
    specs = imaging()
    weights = sum(c.weight for c in specs)
    out = {c.id: max(20, round(total * c.weight / weights)) for c in specs}
    drift = total - sum(out.values())
    biggest = max(specs, key=lambda c: c.weight).id
    out[biggest] = max(20, out[biggest] + drift)
    return out
