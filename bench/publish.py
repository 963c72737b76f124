"""Publishing a large catalogue: each profile against a raw dump of the same resources, same run.

    python bench/publish.py [--collections 2000] [--rounds 3]

Loads N synthetic collections (with a distribution each, over 40 data holders) through the model,
then times, as medians over the rounds:

* baseline: the store's own CONSTRUCT of the catalogue-level resources, serialised as Turtle;
* snapshot: reading them back as model objects (what every profile starts from, cached afterwards);
* dcat-ap / healthdcat-ap / eucaim-dcat-ap: the whole catalogue document from a fresh facade (snapshot
  read, document built, Turtle written), then a repeated request (document cached until the sources
  change, only serialised);
* a collection document (cached snapshot), i.e. what one GET of a collection IRI costs.

Prints each figure and its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from cikg.catalogue import Catalogue, source_iri
from cikg.namespaces import collection_iri, distribution_iri, holder_iri
from cikg.publish import Publisher
from cikg.publish.model import _fetch_query, read_snapshot
from cikg.rdfmap import to_triples
from cikg.settings import Settings
from cikg.store import RdfData

CONDITIONS = ["lung_cancer", "breast_cancer", "prostate_cancer", "colorectal_cancer"]
MODALITIES = ["modality_ct", "modality_mr", "modality_mg", "modality_pt"]
ACCESS = ["PUBLIC", "RESTRICTED", "NON_PUBLIC"]
TURTLE = ox.RdfFormat.TURTLE


def objects(base: str, n: int) -> Iterator[tuple[str, dict[str, Any]]]:
    for h in range(40):
        yield (
            "DataHolder",
            {
                "id": holder_iri(base, f"h{h}"),
                "identifier": f"h{h}",
                "name": f"Site {h}",
                "country": ["ES", "IT", "DE", "GR"][h % 4],
                "juridical_person": f"Legal entity {h}",
                "contact_point": {"fn": "Office", "email": f"mailto:site{h}@example.org"},
            },
        )
    for i in range(n):
        yield (
            "Collection",
            {
                "id": collection_iri(base, f"c{i}"),
                "identifier": f"c{i}",
                "title": f"Collection {i}",
                "description": f"Synthetic collection {i}.",
                "data_holder": holder_iri(base, f"h{i % 40}"),
                "access_rights": ACCESS[i % 3],
                "number_of_subjects": 10 + i,
                "number_of_studies": 20 + i,
                "sex": ["female", "male"],
                "min_typical_age": 30,
                "max_typical_age": 80,
                "age_bin": [
                    {"lower": 30, "upper": 60, "count": 5},
                    {"lower": 60, "upper": 90, "count": 5 + i},
                ],
                "primary_cancer_condition": [CONDITIONS[i % 4]],
                "image_modality": [MODALITIES[i % 4]],
                "body_part": ["bp_chest"],
                "manufacturer": ["siemens"],
                "collection_method": ["clinical_routine"],
                "spatial_coverage": [["ES", "IT", "DE", "GR"][i % 4]],
                "distribution": [distribution_iri(base, f"d{i}")],
            },
        )
        yield (
            "Distribution",
            {
                "id": distribution_iri(base, f"d{i}"),
                "access_url": f"https://negotiator.example.org/{i}",
                "media_type": "https://www.iana.org/assignments/media-types/text/html",
            },
        )


def median_time(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = "http://127.0.0.1:8000"
        settings = Settings(
            data_dir=Path(tmp), base_url=base, hdab_name="Access body", hdab_email="hdab@example.org"
        )
        cat = Catalogue(settings)
        triples = list(to_triples(objects(base, args.collections)))
        cat.store.replace_source(source_iri("bench"), RdfData.of_triples(triples))
        print(
            f"{args.collections} collections, {len(triples)} triples loaded; medians of {args.rounds} rounds"
        )

        def baseline() -> bytes:
            query = cat.store.query(_fetch_query())
            return ox.serialize(list(query.triples), format=ox.RdfFormat.TURTLE) or b""

        figures = {"baseline (CONSTRUCT + Turtle)": median_time(baseline, args.rounds)}
        figures["snapshot (model objects)"] = median_time(lambda: read_snapshot(cat.store, base), args.rounds)
        for profile in ("dcat-ap", "healthdcat-ap", "eucaim-dcat-ap"):
            # a fresh publisher each round: no cached snapshot or document
            figures[f"{profile} catalogue (cold)"] = median_time(
                lambda p=profile: Publisher(cat.store, settings).catalogue(p).document.serialize(TURTLE),
                args.rounds,
            )
        warm = Publisher(cat.store, settings)
        warm.catalogue("dcat-ap")
        figures["dcat-ap catalogue (cached, Turtle)"] = median_time(
            lambda: warm.catalogue("dcat-ap").document.serialize(TURTLE), args.rounds
        )
        figures["one collection document (cached)"] = median_time(
            lambda: warm.resource("collection", "c7", "healthdcat-ap").document.serialize(TURTLE),
            max(args.rounds, 5),
        )
        reference = figures["baseline (CONSTRUCT + Turtle)"]
        for name, seconds in figures.items():
            print(f"{name:38s} {seconds * 1000:10.1f} ms   x{seconds / reference:6.2f} of baseline")
        cat.close()


if __name__ == "__main__":
    main()
