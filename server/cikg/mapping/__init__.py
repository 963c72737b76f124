"""Mapping stewards' local terms to the hyperontology: suggestions (SSSOM, lexical matching), review
(manual curation), exports (OMOP SOURCE_TO_CONCEPT_MAP + sidecar) and Usagi imports."""
