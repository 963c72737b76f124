"""The term service: one in-memory index over the hyperontology, its mappings, stewards' reviewed
mappings and the imported vocabularies.

Build once (:meth:`Vocabulary.build`, or :func:`cikg.vocab.cache.load_vocabulary` which keeps a
compiled copy on disk), then share: every method is read-only.
"""

from __future__ import annotations

import heapq
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field
from pathlib import Path

from cikg import namespaces
from cikg.namespaces import CIKG
from cikg.vocab.loader import (
    MappingRow,
    RawTerm,
    as_mapping,
    read_ontology,
    read_sssom,
    read_terms,
    standard_curie,
)
from cikg.vocab.model import (
    INVERSE,
    LANGUAGES,
    PREDICATE_MEANING,
    Concept,
    Hit,
    ImportedTerms,
    Mapping,
    Packed,
    Resolution,
    Translation,
    UnknownTerm,
    VocabularyError,
    compose,
    predicate_rank,
)
from cikg.vocab.search import Entry, LabelIndex
from cikg.vocab.text import compact, normalize

log = logging.getLogger(__name__)

# bare codes (no prefix) are tried against these schemes, in this order
BARE_CODE_SCHEMES = (
    "SNOMEDCT",
    "NCIT",
    "ICD10",
    "ICDO3",
    "OMOP",
    "MONDO",
    "LOINC",
    "RADLEX",
    "UBERON",
    "EUCAIM",
    "DCM",
    "ICD11",
    "DICOMUID",
)
# schemes whose codes have a parent by structure (C34.1 is under C34)
_DOTTED = re.compile(r"^([A-Z]\d\d)\.(\d+)$")
MAX_RESOLUTION_NODES = 5000

# map_value kinds -> the hyperontology branch (root concept id) they map into
KIND_BRANCHES: dict[str, str] = {
    "modality": "imaging_modality",
    "body_part": "body_structure",
    "manufacturer": "equipment_manufacturer",
    "sex": "sex",
    "laterality": "laterality",
    "sop_class": "sop_class",
    "acquisition_semantics": "acquisition_semantics",
    "condition": "condition",
    "dataset_type": "dataset_type",
    "annotation_method": "annotation_method",
    "collection_method": "collection_method",
}
_COMPANY_SUFFIXES = re.compile(
    r"\b(medical systems?|medical solutions?|healthcare|health care|medical|systems?|inc|corp|"
    r"corporation|gmbh|ag|ltd|co|company|nv|bv|sa|spa|s p a|ab|oy|kk|limited|technologies|imaging)\b"
)


@dataclass
class Sources:
    """What a Vocabulary was built from (for the cache key and `cikg vocab` reports)."""

    ontology: str | None = None
    mapping_files: list[str] = field(default_factory=list)
    local_files: list[str] = field(default_factory=list)
    imported: list[tuple[str, str]] = field(default_factory=list)  # (source id, graph)


class Vocabulary:
    """Term index: lookup, search, closure, translation and harvest value mapping."""

    def __init__(self) -> None:
        self.concepts: dict[str, Concept] = {}
        self.terms = ImportedTerms()
        self.sources = Sources()
        self.build_seconds = 0.0
        self._by_code: dict[str, list[tuple[str, str, str]]] = {}
        self._xrefs: MappingOf[str, list[tuple[str, str, str]]] = {}
        self._children: dict[str, tuple[str, ...]] = {}
        self._desc: dict[str, frozenset[str]] = {}
        self._anc: dict[str, frozenset[str]] = {}
        self._depth: dict[str, int] = {}
        self._ext_children: MappingOf[str, list[str]] = {}
        self._roots: dict[str, str] = {}  # branch root id -> enum name (when known)
        self._branch_root: dict[str, str] = {}
        self._notations: dict[tuple[str, str], set[str]] = {}
        self._exact: dict[str, list[tuple[str, bool]]] = {}
        self._local: dict[tuple[str | None, str], list[MappingRow]] = {}
        self._targets: list[str] = []
        self._target_index: dict[str, int] = {}
        self.index: LabelIndex | None = None
        self._accept_cache: dict[tuple[str | None, bool], list[bool]] = {}

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        ontology: Path,
        mapping_files: Sequence[Path] = (),
        *,
        local_files: Sequence[Path] = (),
        imported: Iterable[tuple[str, Iterable[object]]] = (),
        branches: dict[str, str] | None = None,
    ) -> Vocabulary:
        """Build the index.

        ``imported``: ``(source id, triples)`` per imported vocabulary (the store's named graphs);
        ``branches``: branch root concept id -> enum name (from ontology/src/branches.yaml).
        """
        started = time.perf_counter()
        self = cls()
        self.sources.ontology = str(ontology)
        raw = read_ontology(ontology)
        self._roots = dict(branches or {})
        onto_mappings: dict[str, dict[tuple[str, str], Mapping]] = defaultdict(dict)
        for slug, t in raw.items():
            for pred, obj in t.matches:
                curie = standard_curie(obj)
                onto_mappings[slug][(pred, curie)] = Mapping(pred, curie, None, "cikg.ttl", None)
        for path in mapping_files:
            self.sources.mapping_files.append(str(path))
            for row in read_sssom(path):
                found_slug = _slug(row.subject)
                if found_slug is None or row.negated:
                    continue
                if found_slug not in raw:
                    log.warning("%s: mapping for unknown concept %s ignored", path, row.subject)
                    continue
                onto_mappings[found_slug][(row.predicate, row.object)] = as_mapping(row)
        self._make_concepts(raw, onto_mappings)
        xrefs: dict[str, list[tuple[str, str, str]]] = {}
        for source_id, triples in imported:
            self._add_imported(source_id, triples, xrefs)
        self._xrefs = Packed(xrefs)
        for path in local_files:
            if not path.is_file():
                log.warning("stewards' mapping file %s does not exist (yet): ignored", path)
                continue
            self.sources.local_files.append(str(path))
            for row in read_sssom(path):
                if row.negated or row.justification != "semapv:ManualMappingCuration":
                    continue
                if row.subject_label:
                    self._local.setdefault((row.category, normalize(row.subject_label)), []).append(row)
        self._build_closure()
        self._build_index()
        self.build_seconds = time.perf_counter() - started
        return self

    def _make_concepts(
        self, raw: dict[str, RawTerm], mappings: dict[str, dict[tuple[str, str], Mapping]]
    ) -> None:
        subset_branch: dict[str, str] = {}
        for root, enum in self._roots.items():
            subset_branch[CIKG + f"subset_{enum}"] = root
        for slug, t in raw.items():
            parents = tuple(p[len(CIKG) :] for p in t.parents if p.startswith(CIKG) and p[len(CIKG) :] in raw)
            maps = tuple(
                sorted(
                    mappings.get(slug, {}).values(), key=lambda m: (m.object_id.split(":")[0], m.object_id)
                )
            )
            branches = []
            for s in t.subsets:
                name = s[len(CIKG) :].removeprefix("subset_") if s.startswith(CIKG) else s
                branches.append(subset_branch.get(s, name))
            self.concepts[slug] = Concept(
                id=slug,
                iri=CIKG + slug,
                curie=f"CIKG:{slug}",
                labels=dict(t.labels) or {"en": slug},
                synonyms={k: tuple(v) for k, v in t.synonyms.items()},
                definition=t.definition,
                parents=parents,
                notations=tuple(dict.fromkeys(t.notations)),
                branches=tuple(dict.fromkeys(branches)),
                mappings=maps,
            )
            for m in maps:
                self._by_code.setdefault(m.object_id, []).append((slug, m.predicate, m.source))

    def _add_imported(
        self, source_id: str, triples: Iterable[object], xrefs: dict[str, list[tuple[str, str, str]]]
    ) -> None:
        conv = namespaces.converter()
        self.sources.imported.append((source_id, ""))
        for iri, t in read_terms(triples).items():  # type: ignore[arg-type]
            curie = conv.compress(iri)
            if curie is None or curie.startswith("CIKG:"):
                continue
            for pred, obj in t.matches:
                other = standard_curie(obj)
                xrefs.setdefault(curie, []).append((other, pred, source_id))
                xrefs.setdefault(other, []).append((curie, INVERSE.get(pred, pred), source_id))
            if not t.labels and not t.synonyms and not t.parents:
                continue
            parents = tuple(dict.fromkeys(c for c in (conv.compress(p) for p in t.parents) if c))
            old = self.terms.get(curie)
            if old is not None:  # a code described by two imports (e.g. NCIt flat file and OWL): merge
                labels = {**t.labels, **old.labels}
                syn = {k: tuple(dict.fromkeys((*old.synonyms.get(k, ()), *v))) for k, v in t.synonyms.items()}
                syn = {**old.synonyms, **syn}
                parents = tuple(dict.fromkeys((*old.parents, *parents)))
                self.terms[curie] = Concept(
                    curie,
                    iri,
                    curie,
                    labels,
                    syn,
                    old.definition or t.definition,
                    parents,
                    old.notations,
                    (),
                    (),
                    True,
                    old.source,
                )
                continue
            self.terms[curie] = Concept(
                id=curie,
                iri=iri,
                curie=curie,
                labels=dict(t.labels) or ({"en": t.notations[0]} if t.notations else {}),
                synonyms={k: tuple(v) for k, v in t.synonyms.items()},
                definition=t.definition,
                parents=parents,
                notations=tuple(t.notations),
                imported=True,
                source=source_id,
            )

    def _build_closure(self) -> None:
        children: dict[str, list[str]] = defaultdict(list)
        for c in self.concepts.values():
            for p in c.parents:
                children[p].append(c.id)
        self._children = {k: tuple(sorted(v)) for k, v in children.items()}
        order = _topological(self.concepts)
        anc: dict[str, frozenset[str]] = {}
        depth: dict[str, int] = {}
        for cid in order:
            parents = self.concepts[cid].parents
            s: set[str] = set()
            for p in parents:
                s.add(p)
                s |= anc[p]
            anc[cid] = frozenset(s)
            depth[cid] = 1 + max((depth[p] for p in parents), default=-1)
        desc: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        for cid, ancestors in anc.items():
            for a in ancestors:
                desc[a].add(cid)
        self._anc = anc
        self._desc = {k: frozenset(v) for k, v in desc.items()}
        self._depth = depth
        # branch of each concept: from its subsets, else the root of its tree
        for cid, c in self.concepts.items():
            if not c.branches:
                roots = [a for a in (*anc[cid], cid) if not self.concepts[a].parents]
                if roots:
                    object.__setattr__(c, "branches", tuple(sorted(roots)))
        for c in self.concepts.values():
            for b in c.branches:
                self._branch_root[b] = b
            for n in c.notations:
                for b in c.branches or ("",):
                    self._notations.setdefault((b, n.strip().upper()), set()).add(c.id)

    def _build_index(self) -> None:
        entries: list[Entry] = []
        targets: list[str] = []
        for cid, c in sorted(self.concepts.items()):
            ti = len(targets)
            targets.append(cid)
            for text, lang, pref in c.all_labels():
                entries.append(Entry(text, ti, lang, pref, 0 if pref else 1))
                self._exact.setdefault(normalize(text), []).append((cid, pref))
            for n in c.notations:
                entries.append(Entry(n, ti, None, False, 1))
                self._exact.setdefault(normalize(n), []).append((cid, False))
        ext_children: dict[str, list[str]] = defaultdict(list)
        for curie, t in self.terms.items():  # one pass: every imported term is unpacked once
            ti = len(targets)
            targets.append(curie)
            for text, lang, pref in t.all_labels():
                entries.append(Entry(text, ti, lang, pref, 2 if pref else 3))
            for p in t.parents:
                ext_children[p].append(curie)
        self._ext_children = Packed(ext_children)
        self._targets = targets
        self._target_index = {t: i for i, t in enumerate(targets)}
        self.index = LabelIndex(entries)

    # -- lookup -----------------------------------------------------------------------------------
    def __contains__(self, concept_id: str) -> bool:
        return concept_id in self.concepts

    def __len__(self) -> int:
        return len(self.concepts)

    def concept(self, concept_id: str) -> Concept:
        """A hyperontology concept by slug, ``CIKG:`` CURIE or IRI; or an imported term by CURIE."""
        cid = self._concept_id(concept_id)
        if cid in self.concepts:
            return self.concepts[cid]
        if cid in self.terms:
            return self.terms[cid]
        raise UnknownTerm(concept_id, f"unknown concept {concept_id!r}", self._suggest(concept_id))

    def get(self, concept_id: str) -> Concept | None:
        try:
            return self.concept(concept_id)
        except UnknownTerm:
            return None

    def _concept_id(self, value: str) -> str:
        v = value.strip()
        if v.startswith(CIKG):
            return v[len(CIKG) :]
        slug = _slug(v)
        if slug is not None:
            return slug
        if v in self.concepts:
            return v
        try:
            return self.standard_code(v)
        except (VocabularyError, UnknownTerm):
            return v

    def standard_code(self, code: str) -> str:
        """A CURIE or IRI in the project's preferred form (``snomed:1`` -> ``SNOMEDCT:1``)."""
        conv = namespaces.converter()
        code = code.strip()
        if conv.is_iri(code):
            curie = conv.compress(code)
            if curie is None:
                raise UnknownTerm(code, f"unknown code {code}: no known scheme has this IRI namespace")
            return curie
        prefix, sep, local = code.partition(":")
        if not sep:
            raise VocabularyError(f"not a code: {code!r}")
        found = conv.lookup(prefix.strip())
        if found is None:
            raise UnknownTerm(
                code,
                f"unknown code {code}: unknown scheme prefix {prefix!r} (known: {conv.known_prefixes()})",
            )
        local = local.strip()
        if found.prefix == "RADLEX" and not local.upper().startswith("RID"):
            local = "RID" + local
        elif found.prefix == "RADLEX":
            local = "RID" + local[3:]
        elif found.prefix in ("NCIT", "ICD10") or (found.prefix == "ICDO3" and local[:1].isalpha()):
            local = local.upper()
        return f"{found.prefix}:{local}"

    def resolve(self, code_or_label: str, *, branch: str | None = None) -> Concept:
        """The hyperontology concept a code (any scheme), IRI, slug or label stands for."""
        return self.resolve_match(code_or_label, branch=branch).concept

    def resolve_match(self, code_or_label: str, *, branch: str | None = None) -> Resolution:
        """Like :meth:`resolve`, with how: the predicate followed, the code or label matched, the source."""
        term = code_or_label.strip()
        if not term:
            raise UnknownTerm(term, "empty term")
        conv = namespaces.converter()
        if term.startswith(CIKG) or _slug(term) is not None or (term in self.concepts and ":" not in term):
            cid = self._concept_id(term)
            if cid in self.concepts:
                return Resolution(
                    term,
                    self.concepts[cid],
                    "skos:exactMatch",
                    f"CIKG:{cid}",
                    "ontology",
                    "a hyperontology concept",
                )
            raise UnknownTerm(term, f"unknown concept {term!r}", self._suggest(term))
        if conv.is_iri(term) or _looks_like_curie(term):
            code = self.standard_code(term)
            found = self._resolve_code(code, branch)
            if found is None:
                raise UnknownTerm(term, f"unknown code {code}", self._suggest(term))
            return _with_term(found, term)
        # a label?
        found_label = self._resolve_label(term, branch)
        if found_label is not None:
            return found_label
        # a bare code: try the schemes (first without, then with structural parents)
        if " " not in term:
            schemes = [s for s in BARE_CODE_SCHEMES if conv.lookup(s) is not None]
            for structural in (False, True):
                for scheme in schemes:
                    res = self._resolve_code(
                        self.standard_code(f"{scheme}:{term}"), branch, structural=structural
                    )
                    if res is not None:
                        return _with_term(res, term)
        raise UnknownTerm(
            term, f"unknown term {term!r}: no concept has this code or label", self._suggest(term)
        )

    def _resolve_label(self, term: str, branch: str | None) -> Resolution | None:
        norm = normalize(term)
        hits = [(cid, pref) for cid, pref in self._exact.get(norm, []) if self._in_branch(cid, branch)]
        if hits:
            hits.sort(key=lambda h: (not h[1], self._depth.get(h[0], 0), h[0]))
            cid, pref = hits[0]
            return Resolution(
                term,
                self.concepts[cid],
                "skos:exactMatch",
                term,
                "ontology",
                f"matches the {'label' if pref else 'synonym'} {term!r}",
            )
        local = self._local_rows(None, norm)
        for row in local:
            slug = _slug(row.object)
            if slug and slug in self.concepts and self._in_branch(slug, branch):
                return Resolution(
                    term,
                    self.concepts[slug],
                    row.predicate,
                    term,
                    row.source,
                    "a steward's reviewed mapping of this local term",
                )
        assert self.index is not None
        for eid in self.index.exact_entries(norm):
            target = self._targets[self.index.target[eid]]
            if target in self.terms:
                res = self._resolve_code(target, branch)
                if res is not None:
                    return Resolution(
                        term,
                        res.concept,
                        res.predicate,
                        f"{target} -> {res.via}",
                        res.source,
                        f"matches the label of {target}; {res.how}",
                    )
        return None

    def _in_branch(self, cid: str, branch: str | None) -> bool:
        if branch is None:
            return True
        root = self.branch_root(branch)
        return cid == root or root in self._anc.get(cid, frozenset())

    def _resolve_code(self, code: str, branch: str | None, *, structural: bool = True) -> Resolution | None:
        if code.startswith("CIKG:"):
            cid = code[5:]
            if cid in self.concepts:
                return Resolution(
                    code, self.concepts[cid], "skos:exactMatch", code, "ontology", "a hyperontology concept"
                )
            return None
        # best-first walk from the code over cross-references and parents, collecting concepts
        start = (predicate_rank("skos:exactMatch"), 0, code)
        best_rel: dict[str, str] = {code: "skos:exactMatch"}
        chain: dict[str, list[str]] = {code: [code]}
        sources: dict[str, str] = {code: ""}
        heap = [start]
        found: list[tuple[int, int, int, str, str, str, list[str]]] = []
        seen = 0
        while heap and seen < MAX_RESOLUTION_NODES:
            _, hops, node = heapq.heappop(heap)
            seen += 1
            rel = best_rel[node]  # how `node` relates to `code` (node's perspective)
            for slug, pred, source in self._by_code.get(node, ()):
                if not self._in_branch(slug, branch):
                    continue
                final = compose(pred, rel)
                found.append(
                    (
                        predicate_rank(final),
                        hops,
                        -self._depth.get(slug, 0),
                        slug,
                        final,
                        source or sources[node],
                        chain[node],
                    )
                )
            if found and hops > min(f[1] for f in found):
                break
            for nxt, q, src in self._neighbours(node, structural):
                r = compose(q, rel)
                if nxt not in best_rel or predicate_rank(r) < predicate_rank(best_rel[nxt]):
                    best_rel[nxt] = r
                    chain[nxt] = [*chain[node], nxt]
                    sources[nxt] = src
                    heapq.heappush(heap, (predicate_rank(r), hops + 1, nxt))
        if not found:
            return None
        found.sort()
        top = found[0]
        rank, hops, _, slug, final, source, path = top
        same = {f[3] for f in found if f[0] == rank and f[1] == hops}
        concept = self.concepts[slug]
        how = f"{' -> '.join(path)} {final} {concept.curie}: {PREDICATE_MEANING.get(final, final)}"
        if final == "skos:broadMatch" and len(same) > 1:
            lca = self._common_ancestor(sorted(same))
            if lca is not None:
                concept = self.concepts[lca]
                how = (
                    f"{code} is broader than {', '.join(sorted(same))}; resolved to their closest common "
                    f"parent {lca}"
                )
        return Resolution(code, concept, final, " -> ".join(path), source or "ontology", how)

    def _neighbours(self, code: str, structural: bool) -> list[tuple[str, str, str]]:
        """Codes next to ``code``: ``(other, predicate from other's side, source)``."""
        out = [(o, INVERSE.get(p, p), s) for o, p, s in self._xrefs.get(code, ())]
        term = self.terms.get(code)
        if term is not None:
            out.extend((p, "skos:narrowMatch", term.source) for p in term.parents)
        if structural and code not in self.terms:
            parent = structural_parent(code)
            if parent is not None:
                out.append((parent, "skos:narrowMatch", "code structure"))
        return out

    def _common_ancestor(self, ids: list[str]) -> str | None:
        common = set.intersection(*({i, *self._anc[i]} for i in ids))
        if not common:
            return None
        return max(common, key=lambda c: (self._depth.get(c, 0), c))

    def _suggest(self, term: str) -> tuple[str, ...]:
        try:
            return tuple(h.curie for h in self.search(term, limit=3, imported=False))
        except Exception:  # suggestions are a courtesy
            return ()

    # -- hierarchy --------------------------------------------------------------------------------
    def descendants(
        self, concept_id: str, include_self: bool = True, *, include_codes: bool = False
    ) -> frozenset[str]:
        """Slugs of every concept under ``concept_id`` (transitively); with ``include_codes`` also the
        CURIEs of their exact / close / narrower mapped codes and of everything under those codes in
        the imported vocabularies."""
        cid = self._known(concept_id)
        if cid in self.terms:
            codes = self._ext_descendants([cid])
            return frozenset(codes if include_self else codes - {cid})
        out = set(self._desc[cid])
        if include_self:
            out.add(cid)
        if include_codes:
            out |= self.codes_under(cid)
        return frozenset(out)

    def codes_under(self, concept_id: str) -> frozenset[str]:
        """External codes meaning this concept or something under it (imported hierarchies included)."""
        cid = self._known(concept_id)
        roots = []
        for c in (cid, *self._desc[cid]):
            for m in self.concepts[c].mappings:
                if m.predicate in (
                    "skos:exactMatch",
                    "skos:closeMatch",
                    "skos:narrowMatch",
                    "owl:equivalentClass",
                ):
                    roots.append(m.object_id)
        # equivalents in other imported vocabularies (OMOP id of a SNOMED code, ...)
        extra: list[str] = []
        for r in roots:
            extra.extend(
                o for o, p, _ in self._xrefs.get(r, ()) if p in ("skos:exactMatch", "owl:equivalentClass")
            )
        return frozenset(self._ext_descendants([*roots, *extra]))

    def _ext_descendants(self, roots: Iterable[str]) -> set[str]:
        out: set[str] = set()
        todo = deque(roots)
        while todo:
            c = todo.popleft()
            if c in out:
                continue
            out.add(c)
            todo.extend(self._ext_children.get(c, ()))
        return out

    def ancestors(self, concept_id: str, include_self: bool = False) -> frozenset[str]:
        cid = self._known(concept_id)
        if cid in self.terms:
            out: set[str] = set()
            todo = deque(self.terms[cid].parents)
            while todo:
                c = todo.popleft()
                if c not in out:
                    out.add(c)
                    if c in self.terms:
                        todo.extend(self.terms[c].parents)
            try:
                res = self.resolve_match(cid)
                out |= {res.concept.id, *self._anc[res.concept.id]}
            except UnknownTerm:
                pass
            return frozenset(out | ({cid} if include_self else set()))
        return frozenset(self._anc[cid] | ({cid} if include_self else set()))

    def children(self, concept_id: str) -> tuple[str, ...]:
        cid = self._known(concept_id)
        if cid in self.terms:
            return tuple(sorted(self._ext_children.get(cid, ())))
        return self._children.get(cid, ())

    def depth(self, concept_id: str) -> int:
        return self._depth.get(self._known(concept_id), 0)

    def _known(self, concept_id: str) -> str:
        cid = self._concept_id(concept_id)
        if cid in self.concepts or cid in self.terms:
            return cid
        raise UnknownTerm(concept_id, f"unknown concept {concept_id!r}", self._suggest(concept_id))

    def branch_of(self, concept_id: str) -> str | None:
        """The branch (its root concept id, e.g. ``condition``, ``imaging_modality``) of a concept."""
        cid = self._known(concept_id)
        if cid in self.terms:
            try:
                return self.resolve(cid).branch
            except UnknownTerm:
                return None
        return self.concepts[cid].branch

    def branch_root(self, branch: str) -> str:
        """A branch given by root id, enum name (``ModalityEnum``) or map_value kind (``modality``)."""
        if branch in self.concepts:
            return branch
        for root, enum in self._roots.items():
            if branch.lower() in (enum.lower(), enum.lower().removesuffix("enum")):
                return root
        if branch in KIND_BRANCHES:
            return KIND_BRANCHES[branch]
        raise VocabularyError(f"unknown branch {branch!r}; use one of {', '.join(sorted(self.branches()))}")

    def branches(self) -> list[str]:
        roots = {b for c in self.concepts.values() for b in c.branches if b in self.concepts}
        return sorted(roots)

    # -- search -----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        lang: str | None = None,
        branch: str | None = None,
        prefix: bool = True,
        fuzzy: bool = True,
        imported: bool = True,
    ) -> list[Hit]:
        """Ranked concepts whose label or synonym (any language, or ``lang``) matches ``query``."""
        assert self.index is not None
        if limit <= 0:
            return []
        accept = self._accept(branch, imported)
        langs = {lang} if lang else None
        if (
            lang is not None
            and lang not in LANGUAGES
            and not any(lang in c.labels for c in self.concepts.values())
        ):
            raise VocabularyError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        matches = self.index.search(
            query, limit=limit, prefix=prefix, fuzzy=fuzzy, accept=accept, langs=langs
        )
        hits = []
        for m in matches:
            tid = self._targets[m.target]
            c = self.concepts.get(tid) or self.terms[tid]
            hits.append(
                Hit(
                    id=c.id,
                    curie=c.curie,
                    label=c.label(lang or "en"),
                    matched=self.index.text[m.entry],
                    lang=self.index.lang[m.entry],
                    score=m.score / 100.0,
                    branch=c.branch,
                    imported=c.imported,
                )
            )
        return hits

    def _accept(self, branch: str | None, imported: bool) -> list[bool] | None:
        if branch is None and imported:
            return None
        key = (branch, imported)
        cached = self._accept_cache.get(key)
        if cached is None:
            root = self.branch_root(branch) if branch else None
            cached = []
            for tid in self._targets:
                if tid in self.concepts:
                    cached.append(root is None or self._in_branch(tid, root))
                else:
                    cached.append(imported and root is None)
            self._accept_cache[key] = cached
        return cached

    def exact_label(self, text: str, branch: str | None = None) -> list[str]:
        """Concepts with exactly this label or synonym (normalised), best first."""
        hits = [
            (cid, pref) for cid, pref in self._exact.get(normalize(text), []) if self._in_branch(cid, branch)
        ]
        hits.sort(key=lambda h: (not h[1], h[0]))
        return list(dict.fromkeys(cid for cid, _ in hits))

    # -- translation ------------------------------------------------------------------------------
    def translate(self, code_or_label: str, *, to: str | None = None) -> tuple[Resolution, list[Translation]]:
        """The concept for a code, and every code of every other scheme for that concept."""
        res = self.resolve_match(code_or_label)
        target = namespaces.converter().standardize_prefix(to) if to else None
        out: list[Translation] = []
        seen: set[tuple[str, str]] = set()
        for m in res.concept.mappings:
            scheme = m.object_id.split(":")[0]
            if target and scheme != target:
                continue
            seen.add((m.object_id, m.predicate))
            out.append(
                Translation(
                    scheme, m.object_id, m.object_label or self._label_of(m.object_id), m.predicate, m.source
                )
            )
        # one hop through imported cross-references (OMOP ids of mapped SNOMED codes, Mondo xrefs ...)
        for m in list(res.concept.mappings):
            for other, pred, src in self._xrefs.get(m.object_id, ()):
                scheme = other.split(":")[0]
                final = compose(m.predicate, pred)
                if (target and scheme != target) or scheme == "CIKG" or (other, final) in seen:
                    continue
                if any(t.code == other for t in out):
                    continue
                seen.add((other, final))
                out.append(Translation(scheme, other, self._label_of(other), final, src, via=m.object_id))
        out.sort(key=lambda t: (t.scheme, predicate_rank(t.predicate), t.code))
        return res, out

    def _label_of(self, code: str) -> str | None:
        t = self.terms.get(code)
        return t.label() if t is not None else None

    def mappings_to(self, code: str) -> list[tuple[Concept, str, str]]:
        """Concepts directly mapped to ``code``: ``(concept, predicate, source)``."""
        code = self.standard_code(code)
        return [(self.concepts[s], p, src) for s, p, src in self._by_code.get(code, ())]

    # -- harvesting -------------------------------------------------------------------------------
    def map_value(self, kind: str, value: str) -> str | None:
        """:meth:`map_uncached`, memoised per (kind, value): harvests ask the same values again and again."""
        memo: dict[tuple[str, str], str | None] | None = self.__dict__.get("_map_memo")
        if memo is None:
            memo = self.__dict__["_map_memo"] = {}
        key = (kind, value)
        if key not in memo:
            if len(memo) > 200_000:
                memo.clear()
            memo[key] = self.map_uncached(kind, value)
        return memo[key]

    def map_uncached(self, kind: str, value: str) -> str | None:
        """The concept id a raw source value stands for, or None: exact and unambiguous matches only.

        ``kind``: modality, body_part, manufacturer, sex, laterality, sop_class, acquisition_semantics,
        condition (and dataset_type, annotation_method, collection_method). Tried in order: stewards'
        reviewed mappings, DICOM notations (defined terms, UIDs), codes, labels and synonyms in any
        language; a value that matches two concepts equally maps to none.
        """
        if kind not in KIND_BRANCHES:
            raise VocabularyError(f"unknown kind {kind!r}; use one of {', '.join(sorted(KIND_BRANCHES))}")
        if value is None:
            return None
        raw = str(value).strip()
        if not raw:
            return None
        root = KIND_BRANCHES[kind]
        if root not in self.concepts:
            return None
        if raw in self.concepts and self._in_branch(raw, root):  # already a concept id of the branch
            return raw
        norm = normalize(raw)
        rows = self._local_rows(kind, norm)
        targets = {s for r in rows if (s := _slug(r.object)) and s in self.concepts}
        if len(targets) == 1:
            return targets.pop()
        if len(targets) > 1:
            return None
        # notations: DICOM defined terms, SOP Class UIDs, sex and laterality codes
        key = raw.upper()
        by_notation = {c for c in self._notations.get((root, key), set())}
        by_notation |= {
            c for (b, n), cs in self._notations.items() if n == key for c in cs if self._in_branch(c, root)
        }
        if len(by_notation) == 1:
            return next(iter(by_notation))
        if len(by_notation) > 1:
            return None
        if kind == "sop_class" and re.fullmatch(r"[0-9.]+", raw):
            return self._unique(
                [
                    s
                    for s, p, _ in self._by_code.get(f"DICOMUID:{raw}", ())
                    if p == "skos:exactMatch" and self._in_branch(s, root)
                ]
            )
        if _looks_like_curie(raw) or namespaces.converter().is_iri(raw):
            try:
                res = self._resolve_code(self.standard_code(raw), root)
            except (UnknownTerm, VocabularyError):
                res = None
            if res is not None and res.predicate in (
                "skos:exactMatch",
                "owl:equivalentClass",
                "skos:narrowMatch",
            ):
                return res.concept.id
            return None
        labels = self.exact_label(raw, root)
        if len(labels) == 1:
            return labels[0]
        if len(labels) > 1:
            prefs = [cid for cid, pref in self._exact.get(norm, []) if pref and cid in labels]
            return self._unique(prefs)
        squeezed = compact(raw)
        if squeezed and squeezed != norm:
            same = [cid for cid in self._compact_index(root).get(squeezed, ())]
            if same:
                return self._unique(same)
        if kind == "manufacturer":
            stripped = _COMPANY_SUFFIXES.sub(" ", norm)
            stripped = " ".join(stripped.split())
            if stripped and stripped != norm:
                return self._unique(self.exact_label(stripped, root))
        if kind == "condition" and re.fullmatch(r"[A-Za-z]?\d[\d./]*", raw):
            for scheme in ("ICD10", "ICDO3", "SNOMEDCT", "OMOP", "NCIT"):
                try:
                    res = self._resolve_code(self.standard_code(f"{scheme}:{raw}"), root)
                except (UnknownTerm, VocabularyError):
                    continue
                if res is not None and res.predicate in ("skos:exactMatch", "skos:narrowMatch"):
                    return res.concept.id
        return None

    def _compact_index(self, root: str) -> dict[str, list[str]]:
        cache = getattr(self, "_compact_cache", None)
        if cache is None:
            cache = {}
            self._compact_cache = cache
        idx = cache.get(root)
        if idx is None:
            idx = {}
            for cid in (root, *self._desc.get(root, ())):
                c = self.concepts[cid]
                for text, _, _ in c.all_labels():
                    idx.setdefault(compact(text), [])
                    if cid not in idx[compact(text)]:
                        idx[compact(text)].append(cid)
                for n in c.notations:
                    idx.setdefault(compact(n), [])
                    if cid not in idx[compact(n)]:
                        idx[compact(n)].append(cid)
            cache[root] = idx
        return idx

    @staticmethod
    def _unique(ids: Sequence[str]) -> str | None:
        distinct = list(dict.fromkeys(ids))
        return distinct[0] if len(distinct) == 1 else None

    def _local_rows(self, kind: str | None, norm: str) -> list[MappingRow]:
        rows = list(self._local.get((kind, norm), ()))
        if kind is not None:
            rows += self._local.get((None, norm), ())
        else:
            rows += [r for (k, n), rs in self._local.items() if n == norm and k is not None for r in rs]
        return rows

    # -- info -------------------------------------------------------------------------------------
    def stats(self) -> dict[str, object]:
        return {
            "concepts": len(self.concepts),
            "imported_terms": len(self.terms),
            "mapped_codes": len(self._by_code),
            "cross_references": sum(len(v) for v in self._xrefs.values()) // 2,
            "labels": len(self.index) if self.index else 0,
            "local_mappings": sum(len(v) for v in self._local.values()),
            "build_seconds": round(self.build_seconds, 3),
            "imported": [s for s, _ in self.sources.imported],
        }


def _with_term(res: Resolution, term: str) -> Resolution:
    return Resolution(term, res.concept, res.predicate, res.via, res.source, res.how)


def _slug(value: str) -> str | None:
    v = value.strip()
    if v.startswith(CIKG):
        return v[len(CIKG) :]
    prefix, sep, local = v.partition(":")
    if sep and prefix.lower() in ("cikg", "cikgo"):
        return local
    return None


_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")


def _looks_like_curie(value: str) -> bool:
    if not _CURIE.match(value):
        return False
    prefix = value.split(":", 1)[0]
    return namespaces.converter().lookup(prefix) is not None


def structural_parent(code: str) -> str | None:
    """The parent a code has by its structure alone: ``ICD10:C34.12`` -> ``ICD10:C34.1`` -> ``ICD10:C34``
    (ICD-10 and ICD-O-3 topography)."""
    prefix, _, local = code.partition(":")
    if prefix not in ("ICD10", "ICDO3"):
        return None
    m = _DOTTED.match(local.upper())
    if not m:
        return None
    head, tail = m.groups()
    return f"{prefix}:{head}.{tail[:-1]}" if len(tail) > 1 else f"{prefix}:{head}"


def _topological(concepts: dict[str, Concept]) -> list[str]:
    indeg = {cid: 0 for cid in concepts}
    children: dict[str, list[str]] = defaultdict(list)
    for concept in concepts.values():
        for p in concept.parents:
            indeg[concept.id] += 1
            children[p].append(concept.id)
    todo = deque(sorted(c for c, d in indeg.items() if d == 0))
    order: list[str] = []
    while todo:
        c = todo.popleft()
        order.append(c)
        for ch in children[c]:
            indeg[ch] -= 1
            if indeg[ch] == 0:
                todo.append(ch)
    if len(order) != len(concepts):
        cyclic = sorted(c for c, d in indeg.items() if d > 0)
        raise VocabularyError(
            f"the hyperontology's is-a hierarchy has a cycle through {', '.join(cyclic[:10])}"
        )
    return order


def concept_triples(vocab: Vocabulary, concept_id: str) -> list[object]:
    """The RDF description of one concept (as in ontology/cikg.ttl, plus its children's links)."""
    import pyoxigraph as ox

    from cikg.namespaces import OBOINOWL, OWL, RDF, RDFS, SKOS

    c = vocab.concept(concept_id)
    conv = namespaces.converter()
    s = ox.NamedNode(c.iri)
    out: list[object] = [
        ox.Triple(
            s, ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Class" if not c.imported else SKOS + "Concept")
        )
    ]
    if c.labels.get("en"):
        out.append(ox.Triple(s, ox.NamedNode(RDFS + "label"), ox.Literal(c.labels["en"], language="en")))
    for lang, text in sorted(c.labels.items()):
        out.append(ox.Triple(s, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(text, language=lang)))
    for lang, syns in sorted(c.synonyms.items()):
        for syn in syns:
            out.append(ox.Triple(s, ox.NamedNode(SKOS + "altLabel"), ox.Literal(syn, language=lang)))
    if c.definition:
        out.append(ox.Triple(s, ox.NamedNode(SKOS + "definition"), ox.Literal(c.definition, language="en")))
    for n in c.notations:
        out.append(ox.Triple(s, ox.NamedNode(SKOS + "notation"), ox.Literal(n)))
    parent_pred = ox.NamedNode(RDFS + "subClassOf" if not c.imported else SKOS + "broader")
    for p in c.parents:
        parent = vocab.get(p)
        if parent is not None:
            out.append(ox.Triple(s, parent_pred, ox.NamedNode(parent.iri)))
    for b in c.branches:
        if b in vocab.concepts and vocab._roots.get(b):
            out.append(
                ox.Triple(
                    s, ox.NamedNode(OBOINOWL + "inSubset"), ox.NamedNode(CIKG + f"subset_{vocab._roots[b]}")
                )
            )
    for m in c.mappings:
        pred_iri = conv.expand(m.predicate) if ":" in m.predicate else m.predicate
        try:
            obj = conv.to_iri(m.object_id)
        except ValueError:
            continue
        out.append(ox.Triple(s, ox.NamedNode(pred_iri), ox.NamedNode(obj)))
    return out
