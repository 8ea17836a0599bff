"""Types across the two engines for the data load: what a MySQL character column can hold and
treats as equal, which type each column became on PostgreSQL, how a MySQL value is handed to it,
and the row-by-row insert on both engines.

Values go to PostgreSQL as untyped text (psycopg sends str as `unknown`), so the column's own
input function reads them exactly as it reads a literal - '2000-02-29 12:00:00' into timestamp,
'{"a": 1}' into jsonb, '2.50' into numeric. Only what text cannot carry is converted: MySQL's
tinyint(1) 0/1 into boolean, BIT's bytes into bit strings or numbers, blobs into bytea.
Every row sits in a SAVEPOINT on both engines: a row one side rejects is rolled back on the
other too, and reported, so the replay never compares two different tables.
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field

_SAVEPOINT = "pgready_row"
_TRUE = {"1", "t", "true", "y", "yes", "on"}


def fold(v):
    """A value as a case-, accent- and trailing-space-insensitive collation sees it (utf8mb4_general_ci
    also makes all characters beyond U+FFFF equal), so generated UNIQUE keys hold on MySQL."""
    if not isinstance(v, str):
        return v
    v = "".join(ch for ch in unicodedata.normalize("NFKD", v) if not unicodedata.combining(ch))
    return "".join("\ufffd" if ord(ch) > 0xFFFF else ch for ch in v.lower()).rstrip(" ")


def fits_charset(text: str, charset: str) -> bool:
    """Whether a MySQL column of this character set stores `text` unchanged (latin1 has no emoji)."""
    if charset in ("", "utf8mb4", "utf16", "utf16le", "utf32", "binary"):
        return True
    if charset in ("utf8", "utf8mb3", "ucs2"):
        return all(ord(ch) <= 0xFFFF for ch in text)
    try:
        return bool(text.encode({"latin1": "cp1252"}.get(charset, charset)) or True)
    except (LookupError, UnicodeError):
        return text.isascii()


@dataclass(frozen=True)
class PgColumn:
    name: str
    data_type: str  # information_schema data_type: "boolean", "bytea", "jsonb", "USER-DEFINED", ...
    length: int | None  # character_maximum_length (n of bit(n))
    serial: bool  # identity or nextval() default: its sequence must follow explicit ids
    always: bool  # GENERATED ALWAYS AS IDENTITY: explicit values need OVERRIDING SYSTEM VALUE
    generated: bool  # a generated column: never inserted


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)  # table key -> rows loaded on both engines
    mysql_rows: dict[str, int] = field(default_factory=dict)  # table key -> rows on MySQL afterwards
    pg_rows: dict[str, int] = field(default_factory=dict)  # table key -> rows on PostgreSQL afterwards
    dropped: list[tuple[str, dict, str]] = field(default_factory=list)  # (table, row, which engine said what)
    missing_on_pg: list[str] = field(default_factory=list)  # tables: their rows are on MySQL only
    missing_columns: list[str] = field(default_factory=list)  # "table.column" absent on PostgreSQL
    notes: list[str] = field(default_factory=list)  # anything else (a sequence that could not follow)

    @property
    def problems(self) -> list[str]:
        """One line each, for the verify report."""
        return ([f"{t}: not on PostgreSQL, its rows are on MySQL only" for t in self.missing_on_pg]
                + [f"{c}: not on PostgreSQL, left to its default there" for c in self.missing_columns]
                + [f"{t}: row {_show(row)} dropped ({why})" for t, row, why in self.dropped] + self.notes)


def _show(row: dict) -> str:
    items = list(row.items())[:3]
    shown = (f"{k}={v[:30]!r}" if isinstance(v, str) else f"{k}={str(v)[:30]}" for k, v in items)
    return "{" + ", ".join(shown) + (", ...}" if len(row) > 3 else "}")


def catalog(pg_conn) -> dict[str, tuple[str, dict[str, PgColumn]]]:
    """lower table name -> (name as PostgreSQL spells it, lower column name -> PgColumn)."""
    rows = pg_conn.execute("""
        SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length,
               c.is_identity = 'YES' OR coalesce(c.column_default, '') LIKE 'nextval(%',
               coalesce(c.identity_generation, '') = 'ALWAYS', c.is_generated <> 'NEVER'
        FROM information_schema.columns c JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position""", prepare=False).fetchall()
    out: dict[str, tuple[str, dict[str, PgColumn]]] = {}
    for table, name, dtype, length, serial, always, generated in rows:
        out.setdefault(table.lower(), (table, {}))[1][name.lower()] = PgColumn(
            name, dtype, length, bool(serial), bool(always), bool(generated))
    return out


def adapt(value, col: PgColumn):
    """A value as MySQL holds it (generated, or read by PyMySQL) -> what psycopg sends to `col`."""
    if value is None:
        return None
    t = col.data_type
    if isinstance(value, (bytes, bytearray)) and t != "bytea":
        if t in ("text", "character varying", "character", "json", "jsonb"):
            return bytes(value).decode("utf-8", "replace")
        value = int.from_bytes(value, "big")  # MySQL BIT(n)
    if t == "boolean":
        return str(value).strip().lower() in _TRUE if isinstance(value, str) else bool(value)
    if t == "bytea":
        return bytes(value) if isinstance(value, (bytes, bytearray)) else str(value).encode()
    if t in ("bit", "bit varying"):
        return format(int(value), f"0{col.length or 1}b")
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, dt.timedelta):  # MySQL TIME
        seconds = value.total_seconds()
        whole = abs(int(seconds))
        text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
        return ("-" if seconds < 0 else "") + text + (f".{value.microseconds:06d}" if value.microseconds else "")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return repr(value) if isinstance(value, float) else str(value)


def _my_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _pg_name(pg_conn, name: str) -> str:
    from psycopg import sql

    return sql.Identifier(name).as_string(pg_conn)


def _pct(sql: str) -> str:
    """An identifier inside a statement that also has %s parameters: its own % doubled."""
    return sql.replace("%", "%%")


def _mysql_warnings(cur) -> str:
    """MySQL stores a value it had to change (truncated, clipped) with a warning, not an error:
    for the comparison that is a rejection too."""
    if not getattr(cur, "warning_count", 0):
        return ""
    cur.execute("SHOW WARNINGS")
    return "; ".join(str(m) for level, _, m in cur.fetchall() if level != "Note")


def _run(conn, sql: str, params=None) -> list:
    """One statement on either engine (PyMySQL connections have .escape); its rows, if any."""
    if hasattr(conn, "escape"):
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []
    cur = conn.execute(sql, params, prepare=False)
    return list(cur.fetchall()) if cur.description else []


class _Target:
    """One table's INSERT on both engines (PostgreSQL's is None when the table is not there)."""

    def __init__(self, mysql_conn, pg_conn, table, pg_tables: dict, report: LoadReport, key: str):
        self.table, self.key = table, key
        self.columns = [c.name for c in table.columns if not c.generated]
        self.my_insert = (f"INSERT INTO {_pct(_my_name(table.name))} "
                          f"({_pct(', '.join(map(_my_name, self.columns)))}) "
                          f"VALUES ({', '.join(['%s'] * len(self.columns))})")
        self.pg_insert, self.pg_cols, self.pg_table, self.serials = None, [], None, []
        if key not in pg_tables:
            report.missing_on_pg.append(table.name)
            return
        self.pg_table, pg_columns = pg_tables[key]
        for name in self.columns:
            col = pg_columns.get(name.lower())
            if col is None:
                report.missing_columns.append(f"{table.name}.{name}")
            elif not col.generated:
                self.pg_cols.append((name, col))
        override = " OVERRIDING SYSTEM VALUE" if any(c.always for _, c in self.pg_cols) else ""
        self.pg_insert = (f"INSERT INTO {_pct(_pg_name(pg_conn, self.pg_table))} "
                          f"({_pct(', '.join(_pg_name(pg_conn, c.name) for _, c in self.pg_cols))}){override} "
                          f"VALUES ({', '.join(['%s'] * len(self.pg_cols))})")
        self.serials = [c.name for _, c in self.pg_cols if c.serial]


def _insert(mysql_conn, pg_conn, target: _Target, row: dict, mysql_too: bool) -> str:
    """'' when both engines took the row, else which one refused it and why (the row is then on
    neither: both are rolled back to the row's savepoint)."""
    conns = [mysql_conn, pg_conn] if target.pg_insert else [mysql_conn]
    for conn in conns:
        _run(conn, f"SAVEPOINT {_SAVEPOINT}")
    why = ""
    try:
        if mysql_too:
            with mysql_conn.cursor() as cur:
                cur.execute(target.my_insert, [row.get(c) for c in target.columns])
                warned = _mysql_warnings(cur)
                why = warned and f"mysql: {warned}"
    except Exception as exc:  # noqa: BLE001 - the server's message is the report
        why = f"mysql: {_first_line(exc)}"
    if not why and target.pg_insert:
        try:
            pg_conn.execute(target.pg_insert, [adapt(row.get(n), c) for n, c in target.pg_cols], prepare=False)
        except Exception as exc:  # noqa: BLE001
            why = f"postgresql: {_first_line(exc)}"
    for conn in conns:
        _run(conn, f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}" if why else f"RELEASE SAVEPOINT {_SAVEPOINT}")
    return why


def _first_line(exc: BaseException) -> str:
    """The server's message: PyMySQL's (code, message) pair read as its message, one line."""
    text = str(exc.args[1]) if len(exc.args) > 1 and isinstance(exc.args[0], int) else str(exc)
    return ((text.strip().splitlines() or [type(exc).__name__])[0])[:300]


def _follow_sequences(pg_conn, target: _Target, report: LoadReport) -> None:
    """Explicit ids leave an identity/serial sequence at 1: move it past max(id) so an INSERT
    replayed later gets a fresh id, as AUTO_INCREMENT does on MySQL by itself."""
    table = _pg_name(pg_conn, target.pg_table)
    for name in target.serials:
        column = _pg_name(pg_conn, name)
        _run(pg_conn, f"SAVEPOINT {_SAVEPOINT}")
        try:
            pg_conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({_pct(column)}), 0) + 1, "
                            f"false) FROM {_pct(table)}", (table, name), prepare=False)
            _run(pg_conn, f"RELEASE SAVEPOINT {_SAVEPOINT}")
        except Exception as exc:  # noqa: BLE001
            _run(pg_conn, f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            report.notes.append(f"{target.table.name}.{name}: its PostgreSQL sequence did not follow "
                                f"({_first_line(exc)})")


def _finish(mysql_conn, pg_conn, targets: list[_Target], report: LoadReport) -> LoadReport:
    for target in targets:
        if target.pg_insert:
            _follow_sequences(pg_conn, target, report)
    mysql_conn.commit()
    pg_conn.commit()
    for t in targets:
        report.mysql_rows[t.key] = _run(mysql_conn, f"SELECT COUNT(*) FROM {_my_name(t.table.name)}")[0][0]
        if t.pg_insert:
            report.pg_rows[t.key] = _run(pg_conn, f"SELECT COUNT(*) FROM {_pg_name(pg_conn, t.pg_table)}")[0][0]
    mysql_conn.commit()
    pg_conn.commit()
    return report


def load_rows(mysql_conn, pg_conn, tables: dict, data: dict[str, list[dict]], order: list[str]) -> LoadReport:
    """data.load: every row on both engines, parents first; tables missing on PostgreSQL are
    loaded on MySQL only (the replay calls their sites not-verifiable)."""
    report, pg_tables, targets = LoadReport(), catalog(pg_conn), []
    for key in [k for k in order if k in data] + sorted(k for k in data if k not in order):
        if key not in tables:
            report.notes.append(f"{key}: not in the MySQL schema, its rows were not loaded")
            continue
        target = _Target(mysql_conn, pg_conn, tables[key], pg_tables, report, key)
        targets.append(target)
        whys = [_insert(mysql_conn, pg_conn, target, row, mysql_too=True) for row in data[key]]
        report.dropped += [(target.table.name, row, why) for row, why in zip(data[key], whys) if why]
        report.rows[key] = whys.count("") if target.pg_insert else 0
    return _finish(mysql_conn, pg_conn, targets, report)


def copy_rows(mysql_conn, pg_conn, tables: dict, order: list[str]) -> LoadReport:
    """data.copy_existing: MySQL's rows into PostgreSQL, parents first; a row PostgreSQL refuses is
    deleted on MySQL as well (foreign key checks off for that delete: its children follow it out
    when PostgreSQL refuses them in turn)."""
    report, pg_tables, targets = LoadReport(), catalog(pg_conn), []
    for key in order:
        target = _Target(mysql_conn, pg_conn, tables[key], pg_tables, report, key)
        targets.append(target)
        if not target.pg_insert:
            continue
        rows = _run(mysql_conn, f"SELECT {', '.join(map(_my_name, target.columns))} FROM {_my_name(target.table.name)}")
        for values in rows:
            row = dict(zip(target.columns, values))
            why = _insert(mysql_conn, pg_conn, target, row, mysql_too=False)
            if why:
                _delete_mysql(mysql_conn, target, row)
                report.dropped.append((target.table.name, row, why))
        report.rows[key] = len(rows) - sum(t == target.table.name for t, _, _ in report.dropped)
    return _finish(mysql_conn, pg_conn, targets, report)


def _delete_mysql(mysql_conn, target: _Target, row: dict) -> None:
    table = target.table
    key = table.primary_key or next((u for u in table.unique if all(row.get(c) is not None for c in u)), ())
    columns = list(key) or target.columns
    where = " AND ".join(f"{_pct(_my_name(c))} <=> %s" for c in columns)
    sql = f"DELETE FROM {_pct(_my_name(table.name))} WHERE {where} LIMIT 1"
    with mysql_conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            cur.execute(sql, [row.get(c) for c in columns])
        finally:
            cur.execute("SET SESSION foreign_key_checks = 1")
