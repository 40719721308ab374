"""Turns a file's bytes into entities for the sync: skips files that did not change since the
last run, else YAML -> placeholders -> validation, keeping every problem with its line.

With catalog rules (``catalog/rules.py``), what a source may not define is refused and not kept,
and a change of the rules makes every file be read again (their fingerprint is in the hash).

With ``workers``, sources that read many files parse them in that many worker processes
(``catalog/sources/read_ahead.py``); ``finish`` then runs there on each file read, and the
reader must be closed (``with``) to stop them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from catalog.errors import InvalidEntity, KindNotAllowed
from catalog.ingest import parse_entity
from catalog.placeholders import resolve_placeholders
from catalog.policies import DEFAULT_POLICY, EntityPolicy, all_of
from catalog.refs import DEFAULT_NAMESPACE, EntityRef
from catalog.rules import SourceRules
from catalog.sources.base import Origin, Problem, ScannedFile, SourcedEntity
from catalog.sources.read_ahead import ParseWorkers
from catalog.yaml_reader import YamlLimits, read_yaml_documents

__all__ = ["FileReader", "PreviousFile", "content_hash"]


_PLACEHOLDER_MARKERS = (b"$text", b"$json", b"$yaml")


def content_hash(data: bytes) -> str:
    """A short, fast fingerprint of some bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class PreviousFile:
    """What a file yielded in the last sync."""

    content_hash: str
    refs: list[str]
    problems: list[Problem]
    stamp: str = ""
    #: the row as stored (content_hash, stamp, refs, problems), to skip rewriting it unchanged
    stored: tuple[str, str, list[str], list[dict[str, Any]]] | None = None

    @classmethod
    def of_row(
        cls,
        content_hash: str,
        stamp: str,
        refs: list[str],
        problems: list[dict[str, Any]],
        *,
        stored: set[str] | frozenset[str],
        rules: SourceRules | None,
    ) -> PreviousFile:
        """A stored file row; one whose entities are not all ``stored`` any more is read
        again, and refs of kinds the rules refuse are not kept."""
        intact = all(ref in stored for ref in refs)
        kept = refs if rules is None else [r for r in refs if rules.allows_kind(_kind_of(r))]
        return cls(
            content_hash if intact else "",
            kept,
            [Problem(**p) for p in problems],
            stamp if intact else "",
            (content_hash, stamp, refs, problems),
        )


class FileReader:
    """Reads files for one source during one sync; ``rules`` None lets every kind in."""

    def __init__(
        self,
        previous: dict[str, PreviousFile],
        limits: YamlLimits,
        *,
        rules: SourceRules | None = None,
        workers: int = 0,
        finish: Callable[[ScannedFile], ScannedFile] | None = None,
    ) -> None:
        self._previous = previous
        self.limits = limits
        self._rules = rules
        self._salt = rules.fingerprint.encode() if rules is not None else b""
        self._policy: EntityPolicy = (
            all_of(rules, DEFAULT_POLICY) if rules is not None else DEFAULT_POLICY
        )
        self._stamp_prefix = content_hash(self._salt)[:8] + ":"
        #: what to do with each file parsed ahead (in the worker that parsed it)
        self.finish = finish
        self.workers = ParseWorkers(self, workers) if workers > 1 else None

    def __enter__(self) -> FileReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self.workers is not None:
            self.workers.close()

    def stamp_key(self, stamp: str) -> str:
        """The stamp as stored: a change of the rules makes every stamp differ."""
        return self._stamp_prefix + stamp if stamp else ""

    def unchanged_since(self, path: str, stamp: str) -> ScannedFile | None:
        """The file as last read when its stamp on disk is the one recorded then (and that
        read is still good: a file in conflict or broken has no hash and is read again)."""
        prev = self._previous.get(path)
        key = self.stamp_key(stamp)
        if prev is None or not key or prev.stamp != key or not prev.content_hash:
            return None
        return ScannedFile(
            path,
            prev.content_hash,
            unchanged=True,
            refs=list(prev.refs),
            problems=list(prev.problems),
            stamp=key,
        )

    def previous_refs(self, path: str) -> list[str]:
        """The refs a file yielded last time (empty when unknown)."""
        prev = self._previous.get(path)
        return prev.refs if prev else []

    def _may_keep(self, ref: str) -> bool:
        """An invalid entity keeps its last version only if the source may still define its
        kind (else breaking a file would keep what the rules now refuse)."""
        return self._rules is None or self._rules.allows_kind(_kind_of(ref))

    def read(
        self,
        path: str,
        data: bytes,
        *,
        origin: Origin,
        root: str | None,
        force_parse: bool = False,
    ) -> ScannedFile:
        """The file's entities and problems; unchanged files are not parsed again."""
        digest = content_hash(self._salt + data)
        prev = self._previous.get(path)
        if prev is not None and prev.content_hash == digest and digest and not force_parse:
            return ScannedFile(
                path, digest, unchanged=True, refs=list(prev.refs), problems=list(prev.problems)
            )
        docs, yaml_errors = read_yaml_documents(data, limits=self.limits)
        scanned = ScannedFile(path, digest, keep_all_previous=bool(yaml_errors))
        scanned.problems.extend(Problem("error", e.message, path, e.line) for e in yaml_errors)
        placeholders = any(marker in data for marker in _PLACEHOLDER_MARKERS)
        scanned.reads_other_files = placeholders
        base_dir = Path(origin.entity_dir) if placeholders and origin.entity_dir else None
        root_dir = Path(root) if placeholders and root else None
        for doc in docs:
            warnings: list[str] = []
            try:
                document = doc.data
                if placeholders:
                    document, warnings = resolve_placeholders(
                        document, base_dir=base_dir, root=root_dir, limits=self.limits
                    )
                parsed = parse_entity(document, policy=self._policy)
            except KindNotAllowed as error:
                scanned.problems.append(
                    Problem("error", error.message, path, doc.line, _guess_ref(doc.data), "kind")
                )
                continue
            except InvalidEntity as error:
                ref = _guess_ref(doc.data)
                scanned.problems.append(
                    Problem("error", error.message, path, doc.line, ref, error.field)
                )
                if ref and self._may_keep(ref):
                    scanned.kept_refs.append(ref)
                continue
            ref = str(parsed.entity.ref)
            scanned.problems.extend(Problem("warning", w, path, doc.line, ref) for w in warnings)
            located = Origin(
                origin.source, origin.location, doc.line, origin.entity_dir, origin.repo_dir
            )
            scanned.entities.append(SourcedEntity(parsed, located))
            scanned.refs.append(ref)
        return scanned

    def read_document(
        self,
        path: str,
        document: dict[str, Any],
        *,
        origin: Origin,
        problems: Sequence[Problem] = (),
    ) -> ScannedFile:
        """One entity already parsed (from Backstage's API), with the ``problems`` its source
        found on it; skipped when neither changed (nor the rules)."""
        fingerprint = [document, [asdict(p) for p in problems]]
        text = json.dumps(fingerprint, sort_keys=True, default=str).encode()
        digest = content_hash(self._salt + text)
        prev = self._previous.get(path)
        if prev is not None and prev.content_hash == digest:
            return ScannedFile(
                path, digest, unchanged=True, refs=list(prev.refs), problems=list(prev.problems)
            )
        scanned = ScannedFile(path, digest, problems=list(problems))
        try:
            parsed = parse_entity(document, from_api=True, policy=self._policy)
        except KindNotAllowed as error:
            ref = _guess_ref(document)
            scanned.problems.append(Problem("error", error.message, path, None, ref, "kind"))
            return scanned
        except InvalidEntity as error:
            ref = _guess_ref(document)
            scanned.problems.append(Problem("error", error.message, path, None, ref, error.field))
            if ref and self._may_keep(ref):
                scanned.kept_refs.append(ref)
            return scanned
        scanned.entities.append(SourcedEntity(parsed, origin))
        scanned.refs.append(str(parsed.entity.ref))
        return scanned


def _kind_of(ref: str) -> str:
    return ref.partition(":")[0]


def _guess_ref(data: Any) -> str | None:
    """The ref a broken document was meant to have, when kind and name can be read."""
    if not isinstance(data, dict):
        return None
    kind, metadata = data.get("kind"), data.get("metadata")
    if not isinstance(kind, str) or not isinstance(metadata, dict):
        return None
    name, namespace = metadata.get("name"), metadata.get("namespace", DEFAULT_NAMESPACE)
    if not isinstance(name, str) or not isinstance(namespace, str) or not name or not kind:
        return None
    return str(EntityRef.of(kind, namespace, name))
