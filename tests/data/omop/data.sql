-- Synthetic OMOP CDM v5.4 content for tests/harvest/test_omop.py (10 made-up persons; see README.md).
-- Every identifying column carries a marker string `PHIMARK-...`; person ids are 910000001..910000010
-- and birth dates unusual enough to search for: none of them may appear in any harvest output.
-- `{schema}` is replaced by the test.
INSERT INTO {schema}.cdm_source VALUES
 ('cikg synthetic CDM', 'cikg-syn', 'PHIMARK-holder', 'PHIMARK-source-description', NULL, NULL,
  '2024-01-01', '2024-01-01', 'v5.4', 756265, 'v5.0 synthetic');

-- person_id, gender, year, month, day, birth_datetime, race, ethnicity, location, provider, care_site,
-- person_source_value, gender_source_value, gender_source_concept_id, ...
INSERT INTO {schema}.person VALUES
 (910000001, 8507, 1950, 3, 10, '1950-03-10 04:05:06', 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0001', 'PHIMARK-sex-0001', 0, NULL, NULL, NULL, NULL),
 (910000002, 8507, 1948, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0002', 'M', 0, NULL, NULL, NULL, NULL),
 (910000003, 8507, 1960, 12, 31, '1960-12-31 23:59:58', 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0003', 'M', 0, NULL, NULL, NULL, NULL),
 (910000004, 8532, 1970, 5, 5, '1970-05-05 01:02:03', 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0004', 'F', 0, NULL, NULL, NULL, NULL),
 (910000005, 8532, 1980, 1, 15, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0005', 'F', 0, NULL, NULL, NULL, NULL),
 (910000006, 8532, 1930, 1, 1, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0006', 'F', 0, NULL, NULL, NULL, NULL),
 (910000007, 0, 1975, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0007', 'PHIMARK-sex-0007', 0, NULL, NULL, NULL, NULL),
 (910000008, 8507, 1955, 2, 2, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0008', 'M', 0, NULL, NULL, NULL, NULL),
 (910000009, 8507, 2001, 6, 6, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0009', 'M', 0, NULL, NULL, NULL, NULL),
 (910000010, 8532, 1965, 8, 8, NULL, 0, 0, NULL, NULL, NULL, 'PHIMARK-MRN-0010', 'F', 0, NULL, NULL, NULL, NULL);

-- condition_occurrence_id, person_id, concept, start date, ..., source value (col 14), source concept (col 15)
INSERT INTO {schema}.condition_occurrence VALUES
 (1, 910000001, 4163261, '2015-06-01', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'PHIMARK-dx-free-text-0001', NULL, NULL),
 (2, 910000001, 4163261, '2016-01-01', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'C61', NULL, NULL),
 (3, 910000002, 2000000001, '2019-02-01', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'PHIMARK-dx-0002', NULL, NULL),
 (4, 910000003, 201826, '2012-04-04', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'E11', NULL, NULL),
 (5, 910000004, 4112853, '2020-05-04', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'C50.9', NULL, NULL),
 (6, 910000005, 4115276, '2021-01-15', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'C34.1', NULL, NULL),
 (7, 910000006, 4112853, '2025-01-01', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'C50.1', NULL, NULL),
 (8, 910000008, 0, '2010-02-01', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'PHIMARK-dx-0008', 4163261, NULL),
 (9, 910000009, 4163261, '1999-09-09', NULL, NULL, NULL, 32817, NULL, NULL, NULL, NULL, NULL, 'C61', NULL, NULL);

-- measurement: a histology result naming NSCLC as value concept (person 7, no condition row)
INSERT INTO {schema}.measurement VALUES
 (1, 910000007, 2000003001, '2018-03-01', NULL, 'PHIMARK-t', 32817, NULL, NULL, 4115276, NULL, NULL, NULL, NULL, NULL, NULL, 'PHIMARK-meas-src', NULL, NULL, NULL, 'PHIMARK-meas-val', NULL, NULL),
 (2, 910000005, 2000003002, '2021-01-20', NULL, NULL, 32817, NULL, 12.5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'PSA', NULL, NULL, NULL, NULL, NULL, NULL);

-- observation: nothing that maps (a history finding, free text in value_as_string)
INSERT INTO {schema}.observation VALUES
 (1, 910000005, 4214956, '2021-01-16', NULL, 32817, NULL, 'PHIMARK-obs-free-text', NULL, NULL, NULL, NULL, NULL, NULL, 'PHIMARK-obs-src', NULL, NULL, NULL, NULL, NULL, NULL),
 (2, 910000004, 4167217, '2020-05-04', NULL, 32817, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 'Z80.3', NULL, NULL, NULL, NULL, NULL, NULL);

-- procedure_occurrence: imaging procedures (2000001001 = MR, mapped by the test's mapper) and one biopsy
INSERT INTO {schema}.procedure_occurrence VALUES
 (1, 910000001, 2000001001, '2015-07-10', NULL, NULL, NULL, 32817, NULL, 1, NULL, NULL, NULL, 'PHIMARK-proc-src-0001', NULL, NULL),
 (2, 910000002, 2000001001, '2019-03-05', NULL, NULL, NULL, 32817, NULL, 1, NULL, NULL, NULL, 'PHIMARK-proc-src-0002', NULL, NULL),
 (3, 910000004, 2000001003, '2020-06-01', NULL, NULL, NULL, 32817, NULL, 1, NULL, NULL, NULL, 'MG', NULL, NULL),
 (4, 910000005, 2000001002, '2021-02-20', NULL, NULL, NULL, 32817, NULL, 1, NULL, NULL, NULL, 'CT', NULL, NULL),
 (5, 910000005, 4084186, '2021-01-10', NULL, NULL, NULL, 32817, NULL, 1, NULL, NULL, NULL, 'biopsy', NULL, NULL);

INSERT INTO {schema}.note VALUES
 (1, 910000001, '2015-06-01', NULL, 44814637, 44814637, 'PHIMARK-note-title', 'PHIMARK-note-text: patient Jane PHIMARK-Name lives at PHIMARK-Address', 32678, 4180186, NULL, NULL, NULL, 'PHIMARK-note-src', NULL, NULL);

-- image_occurrence_id, person_id, procedure_occurrence_id, visit, anatomic site, wadors_uri, local_path,
-- date, study uid, series uid, modality
INSERT INTO {schema}.image_occurrence VALUES
 (1, 910000001, 1, NULL, 2000002001, 'http://pacs.invalid/PHIMARK-wado-1', '/data/PHIMARK-path-1', '2015-07-10', '1.2.999.PHIMARK.STUDY.1', '1.2.999.PHIMARK.SERIES.1.1', 2000001001),
 (2, 910000001, 1, NULL, 2000002001, NULL, NULL, '2015-07-10', '1.2.999.PHIMARK.STUDY.1', '1.2.999.PHIMARK.SERIES.1.2', 2000001001),
 (3, 910000002, 2, NULL, 2000002001, NULL, NULL, '2019-03-05', '1.2.999.PHIMARK.STUDY.2', '1.2.999.PHIMARK.SERIES.2.1', 2000001001),
 (4, 910000004, 3, NULL, 2000002002, NULL, NULL, '2020-06-01', '1.2.999.PHIMARK.STUDY.3', '1.2.999.PHIMARK.SERIES.3.1', 2000001003),
 (5, 910000005, 4, NULL, 2000002003, NULL, NULL, '2021-02-20', '1.2.999.PHIMARK.STUDY.4', '1.2.999.PHIMARK.SERIES.4.1', 2000001002);

-- vocabulary: real OMOP ids for the mapped standard concepts, 2000000000+ (the OMOP range for local
-- concepts) for synthetic ones
INSERT INTO {schema}.concept VALUES
 (443392, 'Malignant neoplastic disease', 'Condition', 'SNOMED', 'Clinical Finding', 'S', '363346000', '1970-01-01', '2099-12-31', NULL),
 (4163261, 'Malignant tumor of prostate', 'Condition', 'SNOMED', 'Clinical Finding', 'S', '399068003', '1970-01-01', '2099-12-31', NULL),
 (4112853, 'Malignant tumor of breast', 'Condition', 'SNOMED', 'Clinical Finding', 'S', '254837009', '1970-01-01', '2099-12-31', NULL),
 (4115276, 'Non-small cell lung cancer', 'Condition', 'SNOMED', 'Clinical Finding', 'S', '254637007', '1970-01-01', '2099-12-31', NULL),
 (201826, 'Type 2 diabetes mellitus', 'Condition', 'SNOMED', 'Clinical Finding', 'S', '44054006', '1970-01-01', '2099-12-31', NULL),
 (2000000001, 'Adenocarcinoma of prostate (synthetic local concept)', 'Condition', 'Local', 'Clinical Finding', 'S', 'SYN-1', '1970-01-01', '2099-12-31', NULL),
 (2000001001, 'MR (synthetic)', 'Procedure', 'Local', 'Procedure', 'S', 'SYN-MR', '1970-01-01', '2099-12-31', NULL),
 (2000001002, 'CT (synthetic)', 'Procedure', 'Local', 'Procedure', 'S', 'SYN-CT', '1970-01-01', '2099-12-31', NULL),
 (2000001003, 'Mammography (synthetic)', 'Procedure', 'Local', 'Procedure', 'S', 'SYN-MG', '1970-01-01', '2099-12-31', NULL);

-- ancestor, descendant, min levels, max levels (self rows as in a real CONCEPT_ANCESTOR)
INSERT INTO {schema}.concept_ancestor VALUES
 (443392, 443392, 0, 0),
 (4163261, 4163261, 0, 0),
 (443392, 4163261, 1, 1),
 (2000000001, 2000000001, 0, 0),
 (4163261, 2000000001, 1, 1),
 (443392, 2000000001, 2, 2),
 (4112853, 4112853, 0, 0),
 (443392, 4112853, 1, 1),
 (4115276, 4115276, 0, 0),
 (443392, 4115276, 2, 3),
 (201826, 201826, 0, 0);
