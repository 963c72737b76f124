"""``cikg demo``: a synthetic federation modelled on the five AI4HI projects, written to disk as real
sources (DICOM headers, eCRF / OMOP CSV with the steward's SSSOM, FHIR bundles) for the real harvesters.

:mod:`cikg.demo.federation` says who holds what and codes it how; :mod:`cikg.demo.dicom` and
:mod:`cikg.demo.clinical` write the sources; :mod:`cikg.demo.build` lays them out and lists the harvest
jobs the facade (:meth:`cikg.catalogue.Catalogue.build_demo`) runs.
"""

from cikg.demo.build import DemoSettings, HarvestJob, Progress, demo_dir, prepare, read_manifest
from cikg.demo.federation import COLLECTIONS, DEFAULT_SERIES, NSCLC_ONLY, PROJECTS

__all__ = [
    "COLLECTIONS",
    "DEFAULT_SERIES",
    "NSCLC_ONLY",
    "PROJECTS",
    "DemoSettings",
    "HarvestJob",
    "Progress",
    "demo_dir",
    "prepare",
    "read_manifest",
]
