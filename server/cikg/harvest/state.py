"""Resume state of a folder harvest: SQLite under ``<data_dir>/harvest/<source-id>/state.sqlite``.

One row per file, keyed by the keyed pseudonym of its path relative to the harvest root (the path
itself is never stored), with its size and mtime and the instance record read from it (allow-listed
values and pseudonyms only) or a failure reason. A later run skips every file whose key, size and
mtime are unchanged and reuses its record; files gone from the folder are forgotten. Rows are
committed in batches as workers deliver them, so an interrupted harvest resumes where it stopped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
  path_key TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  record TEXT,
  failure TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class HarvestState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path))
        self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        path.chmod(0o600)

    def close(self) -> None:
        self._db.commit()
        self._db.close()

    def __enter__(self) -> HarvestState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known(self) -> dict[str, tuple[int, int]]:
        return {k: (s, m) for k, s, m in self._db.execute("SELECT path_key, size, mtime_ns FROM files")}

    def put_many(self, rows: Iterable[tuple[str, int, int, dict[str, Any] | None, str | None]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO files(path_key, size, mtime_ns, record, failure) VALUES (?,?,?,?,?)",
            [
                (k, s, m, json.dumps(r, separators=(",", ":")) if r is not None else None, f)
                for k, s, m, r, f in rows
            ],
        )
        self._db.commit()

    def forget(self, keys: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM files WHERE path_key = ?", [(k,) for k in keys])
        self._db.commit()

    def records(
        self, keys: set[str] | None = None
    ) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
        for k, r, f in self._db.execute("SELECT path_key, record, failure FROM files"):
            if keys is None or k in keys:
                yield k, (json.loads(r) if r else None), f

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM files").fetchone()[0])
