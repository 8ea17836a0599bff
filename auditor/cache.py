"""What a scan can reuse from earlier runs, so that a re-scan of an unchanged project does almost no work.

Three kinds of entry, all in one SQLite file (`pgready-cache.sqlite` in the cache directory;
SQLite because several hook processes may run at once, and one file is easy to delete):

- `facts`: a file's frontend facts, keyed by its content digest, path, language and the code
  fingerprint. A file read beside it (the package.json of a lockfile) is a dependency, checked on use.
- `sql`: the classification and the rewrite of one SQL text, keyed by the text, the placeholder
  style, the target driver, the rule set and (for rewrites) the project's table keys. A hook run on
  three edited files thus re-classifies only the statements that changed.
- `result`: a whole scan's inventory, keyed by the root, the files asked for, the options and the
  fingerprints; valid only while the same files are discovered and every file the scan read
  (sources, modules read for context, tsconfig.json, sibling manifests, the --schema dump) has
  the same content digest, absent files included.

Every key includes the code fingerprint: pgready's version plus the size and mtime of each of its
own modules and rule files, so an upgrade or a local edit of pgready never reads a stale entry.
Entries written by another fingerprint more than STALE_DAYS ago are deleted by the next run that
writes (a pre-commit environment and a virtualenv with different pgready versions may share the
folder: neither deletes what the other still uses); past MAX_BYTES the file starts again empty.
Values are pickles written by this same code; a `Rule` is stored by id and reattached to the
current catalogue on load. An unreadable or corrupt cache is ignored (the scan runs cold) and a
cache that cannot be written costs a one-line warning, never the scan.

The cache directory: `--cache-dir`, else `cache-dir` of the configuration, else
`$PGREADY_CACHE_DIR`, else `$XDG_CACHE_HOME/pgready` (`~/.cache/pgready`). It holds nothing
of the audited project but digests, paths and findings (with credentials already redacted).
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import sys
import types
from pathlib import Path

FILE_NAME = "pgready-cache.sqlite"
MAX_BYTES = 512 * 1024 * 1024  # past this the file is emptied and starts again
STALE_DAYS = 7  # entries of another pgready (code fingerprint) written longer ago than this are dropped
SCHEMA = 2  # PRAGMA user_version of the file; another one is emptied
RULES_BY_ID = frozenset({"analysis", "rewrite"})  # values that hold `Rule`s (classification matches)
FLUSH_BYTES = 32 * 1024 * 1024
ABSENT = "absent"
_CHUNK = 1 << 20


def default_dir() -> Path:
    """Where the cache lives when nothing says otherwise."""
    env = os.environ.get("PGREADY_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pgready"


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_file(path: Path | str) -> str:
    """Content digest of a file, `absent` when it cannot be read (missing, a folder, no permission)."""
    try:
        with open(path, "rb") as fh:
            h = hashlib.blake2b(digest_size=16)
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
            return h.hexdigest()
    except OSError:
        return ABSENT


def key(*parts) -> str:
    """A fixed-length key for any tuple of plain values."""
    return digest_bytes(repr(parts).encode("utf-8", "surrogatepass"))


_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """pgready's version plus size and mtime of its modules and rule files: changes with the code."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from auditor import __version__
        from auditor.catalog import rules_dir

        here = Path(__file__).resolve().parent
        stats = [__version__]
        for folder, suffixes in ((here, (".py",)), (rules_dir(), (".yaml", ".yml"))):
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for name in sorted(filenames):
                    if name.endswith(suffixes):
                        st = os.stat(os.path.join(dirpath, name))
                        stats.append(f"{os.path.relpath(os.path.join(dirpath, name), folder)}:{st.st_size}:{st.st_mtime_ns}")
        _FINGERPRINT = key(*stats)
    return _FINGERPRINT


def _mappingproxy(proxy):
    return _proxy, (dict(proxy),)


def _proxy(mapping: dict):
    return types.MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """Rules are stored by id (`by_id`, for the namespaces of RULES_BY_ID: a Python callback per
    object is slow, so only where rules occur): the catalogue is big and is reattached as the
    current one on load. The catalogue's read-only mappings are stored as what they wrap."""

    dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: _mappingproxy}

    def __init__(self, out, by_id: bool):
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.by_id = by_id

    def persistent_id(self, obj):
        if not self.by_id:
            return None
        from auditor.catalog import Rule

        return ("rule", obj.id) if isinstance(obj, Rule) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, rules: dict):
        super().__init__(io.BytesIO(data))
        self.rules = rules

    def persistent_load(self, pid):
        kind, rule_id = pid
        if kind != "rule" or rule_id not in self.rules:
            raise pickle.UnpicklingError(f"unknown rule {rule_id!r}")  # caught: a miss
        return self.rules[rule_id]


def dumps(value, by_id: bool) -> bytes:
    out = io.BytesIO()
    _Pickler(out, by_id).dump(value)
    return out.getvalue()


class Cache:
    """A handle on the cache file. `get` returns None on any miss or problem; `put` queues a write
    and `flush` commits all queued writes in one transaction."""

    def __init__(self, directory: Path, rules=()):
        self.directory = Path(directory)
        self.rules = {r.id: r for r in rules}
        self.pending: list[tuple[str, str, str, int, bytes]] = []
        self.pruned = False
        self.pending_bytes = 0
        self._db = None
        self._broken = False

    def _connect(self):
        if self._db is None and not self._broken:
            import sqlite3

            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                path = self.directory / FILE_NAME
                if path.is_file() and path.stat().st_size > MAX_BYTES:
                    path.unlink()
                self._db = sqlite3.connect(path, timeout=10, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                _schema(self._db)
                _tag(self.directory)
            except (OSError, sqlite3.Error) as error:
                self._fail(error)
        return self._db

    def _fail(self, error) -> None:
        if not self._broken:
            print(f"pgready: warning: cache disabled ({self.directory}): {error}", file=sys.stderr)
        self._broken, self._db = True, None

    def get(self, ns: str, k: str):
        import sqlite3

        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM entry WHERE ns = ? AND key = ?", (ns, k)).fetchone()
        except sqlite3.Error as error:
            self._fail(error)
            return None
        if row is None:
            return None
        try:
            value = _Unpickler(row[0], self.rules).load()
        except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss, never an error
            return None
        return value

    def put(self, ns: str, k: str, value) -> None:
        try:
            data = dumps(value, by_id=ns in RULES_BY_ID)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return  # not storable: simply not cached
        self.pending.append((ns, k, code_fingerprint(), _today(), data))
        self.pending_bytes += len(data)
        if self.pending_bytes > FLUSH_BYTES:  # a big scan does not hold all its entries in memory
            self.flush()

    def flush(self) -> None:
        import sqlite3

        if not self.pending:
            return
        db = self._connect()
        if db is None:
            self.pending.clear()
            self.pending_bytes = 0
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            if not self.pruned:  # what no run of this pgready can read, unless another one still uses it
                db.execute("DELETE FROM entry WHERE code != ? AND day < ?",
                           (code_fingerprint(), _today() - STALE_DAYS))
                self.pruned = True
            db.executemany("INSERT OR REPLACE INTO entry (ns, key, code, day, value) VALUES (?, ?, ?, ?, ?)",
                           self.pending)
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._fail(error)
        self.pending.clear()
        self.pending_bytes = 0

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


def _today() -> int:
    """Days since the epoch: when an entry was written."""
    import time

    return int(time.time() // 86400)


def _schema(db) -> None:
    """The entry table; a file of an older layout is emptied (its entries would all be misses)."""
    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
        db.execute("DROP TABLE IF EXISTS entry")
        db.execute(f"PRAGMA user_version = {SCHEMA}")
    # code: the fingerprint the key was made with; day: when it was written (see STALE_DAYS)
    db.execute("CREATE TABLE IF NOT EXISTS entry (ns TEXT, key TEXT, code TEXT, day INTEGER, value BLOB, "
               "PRIMARY KEY (ns, key))")


def _tag(directory: Path) -> None:
    """Mark the folder as a cache (backup tools skip it) and keep it out of git if it sits in a repo."""
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                       "# This file is a cache directory tag created by pgready.\n", encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by pgready automatically.\n*\n", encoding="utf-8")


class Memo:
    """A pure function's results by argument tuple: in memory for one scan, and across runs through
    `cache` (namespace `ns`; `context` is what else the results depend on, e.g. the rule set)."""

    def __init__(self, ns: str, cache: Cache | None = None, *context):
        self.ns, self.cache = ns, cache
        self.context = key(code_fingerprint(), *context) if cache is not None else ""
        self.local: dict = {}

    def __call__(self, args: tuple, compute):
        if args in self.local:
            return self.local[args]
        k = key(self.context, args) if self.cache is not None else ""
        hit = self.cache.get(self.ns, k) if self.cache is not None else None
        if isinstance(hit, tuple) and len(hit) == 1:
            value = hit[0]
        else:
            value = compute()
            if self.cache is not None:
                self.cache.put(self.ns, k, (value,))
        self.local[args] = value
        return value


def load_catalogue(cache: Cache | None):
    """The rule catalogue, from the cache when the rule files are unchanged (parsing and checking
    200+ YAML files is a fifth of a hook run's time)."""
    from auditor.catalog import load_rules, rules_dir

    if cache is None:
        return load_rules()
    k = key("catalogue", code_fingerprint(), str(rules_dir()))
    found = cache.get("catalogue", k)
    if isinstance(found, tuple) and found:
        return found
    rules = load_rules()
    cache.put("catalogue", k, rules)
    return rules


def describe(directory: Path) -> str:
    """What `pgready cache` prints: where the cache is, its size and its entries per kind."""
    import sqlite3

    path = Path(directory) / FILE_NAME
    if not path.is_file():
        return f"no cache at {path}"
    size = sum(p.stat().st_size for p in Path(directory).glob(FILE_NAME + "*") if p.is_file())
    lines = [f"{path}: {size / 1e6:.1f} MB"]
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
            rows = db.execute("SELECT ns, COUNT(*), SUM(LENGTH(value)) FROM entry GROUP BY ns ORDER BY ns").fetchall()
    except sqlite3.Error as error:
        return f"{path}: unreadable ({error}); `pgready cache --clear` deletes it"
    lines += [f"  {ns}: {count} entries, {total / 1e6:.1f} MB" for ns, count, total in rows]
    return "\n".join(lines)
