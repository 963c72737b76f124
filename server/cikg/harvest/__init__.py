"""Harvesters: one module per source kind (dicom, dicomweb, omop, fhir, csv, dcat) over the shared
plumbing of :mod:`cikg.harvest.base` (value mapping, run report, provenance, publish)."""
