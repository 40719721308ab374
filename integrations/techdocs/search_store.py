"""The docs search index saved to disk, so a new process loads it instead of rebuilding it.

Re-reading 1,000 sites' ``search_index.json`` takes seconds of tokenising; the saved index
is a few numpy arrays and one JSON document, loaded in a fraction of that. Each site in the
file carries an identity (its build hash, name and the build folder being served), so a
process keeps the sites that are still current and re-reads only the others.

The file is written by greenroom itself, outside every site folder (a docs build cannot
reach it), with numpy's pickle-free format. It is still checked before use: the zip's
CRC-32s catch a damaged file, and every shape, type and range is verified, so a corrupt,
truncated or foreign file is ignored (and rewritten by the next refresh), never trusted.
"""

from __future__ import annotations

import json
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from catalog import EntityRef, parse_ref
from catalog.errors import InvalidRef
from integrations.techdocs.search_index import IndexSnapshot, SearchIndex
from integrations.techdocs.site_index import IndexedSection, SiteIndex

__all__ = ["SavedSite", "load_saved_index", "save_index"]

_FORMAT = b"greenroom-docs-search/1"
_NAMES = {"format", "meta", "words", "sections", "site_words", "ids", "weights", "order"}
_MAX_SLOT = 1 << 31

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SavedSite:
    """One served site as the index knows it: its slot (None: nothing searchable) and the
    identity of the build it was read from."""

    slot: int | None
    identity: str


class _Invalid(Exception):
    pass


_PROBLEMS = (_Invalid, InvalidRef, OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile)


def save_index(path: Path, index: SearchIndex, sites: dict[EntityRef, SavedSite]) -> None:
    """Write ``index`` to ``path`` atomically (readers see the old file or the new one)."""
    snapshot = index.snapshot()
    meta = []
    columns: list[list[str | None]] = [[], [], [], [], []]  # the fields of every section
    slots = []  # in the order of ``meta``, which the arrays and columns follow
    for ref, saved in sorted(sites.items()):
        entry: dict[str, Any] = {"ref": str(ref), "identity": saved.identity, "slot": saved.slot}
        if saved.slot is not None:
            site = snapshot.sites[saved.slot]
            entry.update(name=site.key[1], sections=len(site.sections), postings=site.ids.size)
            slots.append(saved.slot)
            for section in site.sections:
                columns[0].append(section.location)
                columns[1].append(section.page_title)
                columns[2].append(section.heading)
                columns[3].append(section.text)
            columns[4].extend(site.phrases)
        meta.append(entry)
    empty32 = np.zeros(0, dtype=np.int32)
    if snapshot.order is None:
        raise ValueError("a snapshot to save has its order")
    arrays: dict[str, npt.NDArray[Any]] = {
        "format": np.frombuffer(_FORMAT, dtype=np.uint8),
        "meta": _utf8(json.dumps(meta)),
        "words": _utf8("\n".join(snapshot.words)),
        "sections": _utf8(json.dumps(columns)),
        "site_words": np.concatenate([snapshot.site_words[s] for s in slots] or [empty32]),
        "ids": np.concatenate([snapshot.sites[s].ids for s in slots] or [empty32]),
        "weights": np.concatenate(
            [snapshot.sites[s].weights for s in slots] or [empty32.astype(np.float32)]
        ),
        "order": snapshot.order,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temp.open("wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def load_saved_index(path: Path) -> tuple[SearchIndex, dict[EntityRef, SavedSite]] | None:
    """The index saved at ``path`` and its sites, or None when there is no usable file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile) or set(data.files) != _NAMES:
                raise _Invalid("unexpected arrays")
            arrays = {name: data[name] for name in _NAMES}
        return _restore(arrays)
    except FileNotFoundError:
        return None
    except (
        _Invalid,
        InvalidRef,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        zipfile.BadZipFile,
    ) as error:
        log.warning("ignoring the saved docs search index %s: %s", path, error)
        return None


def _restore(arrays: dict[str, npt.NDArray[Any]]) -> tuple[SearchIndex, dict[EntityRef, SavedSite]]:
    if _text(arrays["format"]).encode() != _FORMAT:
        raise _Invalid("another format")
    words = _text(arrays["words"]).split("\n") if arrays["words"].size else []
    if len(set(words)) != len(words):
        raise _Invalid("repeated words")
    meta = json.loads(_text(arrays["meta"]))
    columns = json.loads(_text(arrays["sections"]))
    if not isinstance(meta, list) or not _columns_ok(columns):
        raise _Invalid("bad meta or sections")
    site_words = _array(arrays, "site_words", np.int32)
    ids = _array(arrays, "ids", np.int32)
    weights = _array(arrays, "weights", np.float32)
    if not len(site_words) == len(ids) == len(weights) or not np.isfinite(weights).all():
        raise _Invalid("postings disagree")
    if site_words.size and (site_words.min() < 0 or site_words.max() >= len(words)):
        raise _Invalid("word numbers out of range")
    sections = list(map(IndexedSection, *columns[:4]))
    phrases: list[str] = columns[4]
    saved: dict[EntityRef, SavedSite] = {}
    sites: dict[int, SiteIndex] = {}
    postings = rows = 0
    for entry in meta:
        ref, identity, slot = parse_ref(_str(entry["ref"])), _str(entry["identity"]), entry["slot"]
        if ref in saved:
            raise _Invalid(f"{ref} twice")
        saved[ref] = SavedSite(slot, identity)
        if slot is None:
            continue
        if not isinstance(slot, int) or not 0 <= slot < _MAX_SLOT or slot in sites:
            raise _Invalid("bad slot")
        count, size = entry["postings"], entry["sections"]
        if not _count_ok(count, len(ids) - postings) or not _count_ok(size, len(sections) - rows):
            raise _Invalid("bad postings or sections count")
        site = SiteIndex((ref, _str(entry["name"])))
        site.sections, site.phrases = sections[rows : rows + size], phrases[rows : rows + size]
        site.pages = {
            page: number
            for number, section in enumerate(site.sections)
            for page, _, anchor in [section.location.partition("#")]
            if not anchor
        }
        site.tokens = words  # codes index the shared word list
        site.codes = site_words[postings : postings + count]
        site.ids, site.weights = (
            ids[postings : postings + count],
            weights[postings : postings + count],
        )
        if count and (site.ids.min() < 0 or site.ids.max() >= size):
            raise _Invalid("section numbers out of range")
        sites[slot] = site
        postings, rows = postings + count, rows + size
    if postings != len(ids) or rows != len(sections):
        raise _Invalid("postings or sections left over")
    order = _array(arrays, "order", np.int64)
    by_site = {slot: site.codes for slot, site in sites.items()}
    snapshot = IndexSnapshot(words=words, sites=sites, site_words=by_site, order=order)
    return SearchIndex.restore(snapshot), saved


def _columns_ok(columns: Any) -> bool:
    """Five lists of equal length holding text (headings may be null)."""
    if not isinstance(columns, list) or len(columns) != 5:
        return False
    if not all(isinstance(c, list) and len(c) == len(columns[0]) for c in columns):
        return False
    return all(
        set(map(type, column)) <= ({str, type(None)} if number == 2 else {str})
        for number, column in enumerate(columns)
    )


def _count_ok(value: Any, left: int) -> bool:
    return isinstance(value, int) and 0 <= value <= left


def _array(arrays: dict[str, npt.NDArray[Any]], name: str, dtype: Any) -> npt.NDArray[Any]:
    array = arrays[name]
    if array.dtype != dtype or array.ndim != 1:
        raise _Invalid(f"{name} is {array.dtype}[{array.ndim}]")
    return array


def _utf8(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: npt.NDArray[Any]) -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise _Invalid("text is not bytes")
    return array.tobytes().decode("utf-8")


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected text, found {type(value).__name__}")
    return value
