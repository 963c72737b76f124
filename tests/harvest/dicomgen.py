"""Synthetic DICOM files for the harvesting tests (see tests/data/dicom/README.md)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

from cikg.harvest.annex_e import ANNEX_E

MR = "1.2.840.10008.5.1.4.1.1.4"
CT = "1.2.840.10008.5.1.4.1.1.2"
_TEXT_VRS = {
    "AE",
    "AS",
    "CS",
    "DA",
    "DS",
    "DT",
    "IS",
    "LO",
    "LT",
    "PN",
    "SH",
    "ST",
    "TM",
    "UC",
    "UR",
    "UT",
    "UI",
}
_BYTES_VRS = {"OB", "OW", "UN", "OD", "OF", "OL", "OV"}


def make(
    path: Path,
    *,
    patient_id: str = "P1",
    study_uid: str | None = None,
    series_uid: str | None = None,
    sop_class: str = MR,
    modality: str = "MR",
    manufacturer: str = "SIEMENS",
    model: str = "Skyra",
    body_part: str = "PROSTATE",
    sex: str = "M",
    age: str = "066Y",
    date: str = "20200315",
    description: str = "t2_tse_tra",
    field_strength: str = "3",
    implicit: bool = False,
    extra: dict[str, Any] | None = None,
) -> Path:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.PatientID = patient_id
    ds.PatientName = "Test^Synthetic"
    ds.PatientSex = sex
    ds.PatientAge = age
    ds.StudyDate = ds.SeriesDate = date
    ds.Modality = modality
    ds.Manufacturer = manufacturer
    ds.ManufacturerModelName = model
    ds.BodyPartExamined = body_part
    ds.SeriesDescription = description
    if modality == "MR":
        ds.MagneticFieldStrength = field_strength
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "SK"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.Rows = ds.Columns = 4
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = b"\x00\x01" * 16
    for key, value in (extra or {}).items():
        setattr(ds, key, value)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.file_meta = meta
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def marker(i: int) -> str:
    return f"PHIMARK{i:04d}X"


def make_marked(path: Path, start: int = 0) -> tuple[Path, list[str]]:
    """A file with a unique marker in every Annex E attribute pydicom can write (text, bytes or a
    sequence item), plus a private block; returns the markers written."""
    markers: list[str] = []
    ds = Dataset()
    ds.SOPClassUID = MR
    ds.Modality = "MR"
    ds.Manufacturer = "SIEMENS"
    i = start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = pydicom.config.settings.writing_validation_mode
        pydicom.config.settings.writing_validation_mode = pydicom.config.IGNORE
        try:
            for tag, (keyword, _action) in sorted(ANNEX_E.items()):
                if not keyword or (tag >> 16) in (0x0000, 0x0002, 0xFFFA, 0xFFFC):
                    continue
                vr = pydicom.datadict.dictionary_VR(tag)
                m = marker(i)
                try:
                    if vr in _TEXT_VRS:
                        ds.add_new(tag, vr, m)
                    elif vr in _BYTES_VRS or " or " in vr:
                        ds.add_new(tag, vr.split(" or ")[0] if " or " in vr else vr, m.encode())
                    elif vr == "SQ":
                        item = Dataset()
                        item.CodeMeaning = m
                        ds.add_new(tag, "SQ", [item])
                    else:
                        continue  # numeric binary VRs cannot carry a text marker
                except Exception:
                    continue
                markers.append(m)
                i += 1
            block = ds.private_block(0x0029, "CIKG TEST PRIVATE", create=True)
            block.add_new(0x10, "LO", marker(i))
            markers.append(marker(i))
            i += 1
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = MR
            meta.MediaStorageSOPInstanceUID = marker(i)
            markers.append(marker(i))
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.file_meta = meta
            path.parent.mkdir(parents=True, exist_ok=True)
            ds.save_as(path, enforce_file_format=True)
        finally:
            pydicom.config.settings.writing_validation_mode = previous
    return path, markers
