"""Acquisition semantics of a series, from several DICOM attributes, as labels of a fixed list.

The labels are what harvesters pass to ``ValueMapper.map_value("acquisition_semantics", label)``; the
vocabulary maps them to hyperontology concepts (their names follow the concept names). Sources:
ScanningSequence (0018,0020), SequenceVariant (0018,0021), ImageType (0008,0008), the diffusion
b-value (0018,9087), the presence of a contrast agent and keywords of the Series Description. The
description is matched against fixed patterns only; the text itself never leaves the reader.
"""

from __future__ import annotations

import re

SEMANTIC_LABELS = (
    "t1_weighted",
    "t2_weighted",
    "t2_star_weighted",
    "proton_density_weighted",
    "flair",
    "stir",
    "diffusion_weighted",
    "apparent_diffusion_coefficient",
    "dynamic_contrast_enhanced",
    "contrast_enhanced",
    "subtraction",
    "spin_echo",
    "gradient_echo",
    "inversion_recovery",
    "echo_planar",
    "localizer",
)

_DESCRIPTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("t1_weighted", r"(?<![a-z0-9])t1(?![0-9])|t1w"),
        ("t2_star_weighted", r"t2\*|t2star|t2_star|swi|\bgre\b.*t2"),
        ("t2_weighted", r"(?<![a-z0-9])t2(?![0-9*])|t2w"),
        ("proton_density_weighted", r"(?<![a-z])pd(?![a-z])|proton.?density"),
        ("flair", r"flair"),
        ("stir", r"stir"),
        ("diffusion_weighted", r"dwi|diffusion|(?<![a-z])dw(?![a-z])|b-?value|(?<![a-z])b\d{2,4}"),
        ("apparent_diffusion_coefficient", r"(?<![a-z])adc(?![a-z])"),
        ("dynamic_contrast_enhanced", r"(?<![a-z])dce(?![a-z])|dynamic|perfusion|dyn(?![a-z])"),
        (
            "contrast_enhanced",
            r"\+c(?![a-z])|post.?(contrast|gad|gd)|(?<![a-z])gad|(?<![a-z])gd(?![a-z])|contrast",
        ),
        ("subtraction", r"(?<![a-z])sub(?![a-z])|subtract"),
        ("localizer", r"localizer|localiser|scout|survey"),
    )
)


def derive_semantics(
    *,
    scanning_sequence: list[str],
    sequence_variant: list[str],
    image_type: list[str],
    series_description: str,
    contrast: bool,
    max_b_value: float | None,
) -> list[str]:
    labels: set[str] = set()
    seq = {s.upper() for s in scanning_sequence}
    if "SE" in seq:
        labels.add("spin_echo")
    if "GR" in seq:
        labels.add("gradient_echo")
    if "IR" in seq:
        labels.add("inversion_recovery")
    if "EP" in seq:
        labels.add("echo_planar")
    itype = {s.upper() for s in image_type}
    if "ADC" in itype:
        labels.add("apparent_diffusion_coefficient")
    if "DIFFUSION" in itype or "TRACEW" in itype or "TRACE" in itype:
        labels.add("diffusion_weighted")
    if "SUBTRACTION" in itype or "SUB" in itype:
        labels.add("subtraction")
    if "LOCALIZER" in itype:
        labels.add("localizer")
    if max_b_value is not None and max_b_value > 0:
        labels.add("diffusion_weighted")
    if contrast:
        labels.add("contrast_enhanced")
    for label, pattern in _DESCRIPTION_PATTERNS:
        if pattern.search(series_description):
            labels.add(label)
    return sorted(labels)
