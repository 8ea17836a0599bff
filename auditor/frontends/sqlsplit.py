"""Stream a MySQL script into statements the way the mysql command-line client splits it.

`decode_chunks(stream)` turns a binary stream into text chunks: UTF-8, with the bytes that are not
valid UTF-8 read as latin-1 (a character cut by a chunk boundary is carried over, not mis-read).
`Splitter.feed(text)` / `finish()` return the statements completed so far as `Raw` records. Only
the text of the statement being read and a small look-ahead are held, so memory is bounded by the
largest statement; data statements of a dump (`INSERT`/`REPLACE`) are measured, not even held.

Splitting rules: `DELIMITER x` at a statement start changes the delimiter (the line is no part of
any statement; it is returned alone as the statement `DELIMITER x`, see DELIMITER_STATEMENTS); the
delimiter does not end a statement inside '...', "..." (backslash and doubled-quote escapes),
`...`, `-- `, `#` and /* */ comments; a conditional comment `/*!40101 ... */` (or MariaDB's
`/*M!100616 ... */`) starts a statement (it is one). With the `;` delimiter, a CREATE PROCEDURE /
FUNCTION / TRIGGER / EVENT whose body is a BEGIN ... END block is one statement (as migration tools
read it). Comments before a statement are not part of it; comments inside it are.
Positions are 1-based, in characters; `end_col` is exclusive. Line breaks are counted at `\\n`
(CRLF files count right); CRLF inside a statement becomes LF. A data statement's size is the UTF-8
length of its decoded text (a byte read as latin-1 counts 2).
"""
from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

CHUNK = 1 << 20  # bytes read at a time
HEAD = 512  # look-ahead at a statement start (DELIMITER line, routine header, data statement)
LOOK = 8  # look-ahead inside a statement (delimiter, comment opener, BEGIN/END/CASE)
MAX_STATEMENT = 64 << 20  # characters; a longer statement (e.g. after an unclosed quote) is dropped
# a `DELIMITER x` line is no part of any statement; it is given as a statement of its own ("DELIMITER x")
# so that PRC006 (a mysql-client directive, not SQL) reports it
DELIMITER_STATEMENTS = True

_NAME = r"(?:`(?:[^`]|``)+`|\"[^\"]+\"|[\w$]+)"
QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})?"
_USER = r"(?:`[^`]*`|'[^']*'|\"[^\"]*\"|[\w.%-]+)"
ROUTINE_HEAD = re.compile(rf"""\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*(?P<algorithm>\w+)\s+)?
    (?:DEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|{_USER}(?:\s*@\s*{_USER})?)\s+)?
    (?:SQL\s+SECURITY\s+(?P<security>DEFINER|INVOKER)\s+)?(?:AGGREGATE\s+)?
    (?P<kind>PROCEDURE|FUNCTION|TRIGGER|EVENT|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{QNAME})""",
                          re.IGNORECASE | re.VERBOSE)
_CONDITIONAL = re.compile(r"/\*M?!\d*|\*/")
# a statement may start with an executable comment: /*!40101 ... */, MariaDB's /*M!100616 ... */
# (not its /*M!999999\- enable the sandbox mode */ marker, a client command)
_EXECUTABLE = re.compile(r"/\*(?:!|M!(?!999999\\-))")
_WS = re.compile(r"[ \t\r\n\f\v]*")
_DELIMITER_CMD = re.compile(r"delimiter(?=\s|$)", re.IGNORECASE)
_DATA = re.compile(r"(?:insert|replace)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_NEXT_WORD = re.compile(r"\s*(\w*)")
_QUOTE_STOP = {"'": re.compile(r"['\\]"), '"': re.compile(r'["\\]'), "`": re.compile("`")}
_NOT_BLOCK_END = frozenset({"if", "loop", "repeat", "while"})  # END IF ... closes a block not counted
NORMAL, LINE, BLOCK = "n", "-", "*"


def uncomment_head(sql: str, limit: int = 2000) -> str:
    """The start of a statement with conditional-comment markers removed (`/*!50003 CREATE*/ ...`)."""
    return _CONDITIONAL.sub(" ", sql[:limit])


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("pgready-latin1", _latin1)


def decode_chunks(stream, size: int | None = None):
    """Yield (text, index of the first character read as latin-1 in it, or -1) per chunk read."""
    pending, first, size = b"", True, size or CHUNK
    while True:
        raw = stream.read(size)
        final = not raw
        data = pending + raw if pending else raw
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
            bad = -1
        except UnicodeDecodeError as error:  # decode again, reading each invalid sequence as latin-1
            bad = len(codecs.utf_8_decode(data[:error.start], "strict", True)[0])
            text, used = codecs.utf_8_decode(data, "pgready-latin1", final)
        pending = data[used:]
        if first and text.startswith("\ufeff"):
            text, bad = text[1:], bad - 1 if bad > 0 else bad
        first = False
        yield text, bad
        if final:
            return


@functools.lru_cache(maxsize=32)
def _run_pattern(delimiter: str, compound: bool) -> re.Pattern:
    """What a statement may contain before something the splitter must look at: plain text and
    whole quoted strings (escapes and doubled quotes included), never a partial token. In a
    routine (`compound`) it also stops at every word that is BEGIN, END or CASE."""
    d0 = delimiter[0]
    stop = "".join("\\" + c if c in "-\\]^[" else c for c in "'\"`#/-" + d0) + ("\\w" if compound else "")
    parts = [f"[^{stop}]++", r"'(?:[^'\\]++|\\.)*+'", r'"(?:[^"\\]++|\\.)*+"', r"`[^`]*+`"]
    parts += [alt for char, alt in (("-", "-(?=[^-])"), ("/", r"/(?=[^*])")) if char != d0]
    if compound:
        parts.append(r"(?!(?:begin|end|case)\b)\w++(?=\W)")
    return re.compile("(?:" + "|".join(parts) + ")*+", re.DOTALL | re.IGNORECASE)


@dataclass(slots=True)
class Raw:
    sql: str | None  # None for a dump data statement (measured, not kept) or an oversized one
    line: int
    col: int
    end_line: int
    end_col: int
    size: int  # UTF-8 bytes, for data statements (0 otherwise)
    data: bool
    problem: str = ""  # why the statement is incomplete or dropped


class Splitter:
    def __init__(self, dump: bool = False):
        self.dump, self.buf, self.pos, self.base = dump, "", 0, 0
        self.line, self.line_start, self.counted = 1, 0, 0  # newlines counted up to buf[counted]
        self.mode, self.in_stmt, self.out = NORMAL, False, []
        self._set_delimiter(";")

    def _set_delimiter(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.run = _run_pattern(delimiter, False)
        self.compound_run = _run_pattern(delimiter, True) if delimiter == ";" else self.run

    def feed(self, text: str) -> list[Raw]:
        self.buf += text  # what is left after _flush: a few characters of look-ahead
        self._scan(final=False)
        self._flush()
        out, self.out = self.out, []
        return out

    def finish(self) -> list[Raw]:
        self._scan(final=True)
        if self.in_stmt:
            problem = {"'": "an unclosed '...' string", '"': 'an unclosed "..." string', "`": "an unclosed `...` name",
                       BLOCK: "an unclosed /* comment"}.get(self.mode, "")
            self._end(len(self.buf), len(self.buf), f"{problem} runs to the end of the file" if problem else "")
        out, self.out = self.out, []
        return out

    def _locate(self, index: int) -> tuple[int, int]:
        buf, counted = self.buf, self.counted
        if index > counted:
            newlines = buf.count("\n", counted, index)
            if newlines:
                self.line += newlines
                self.line_start = self.base + buf.rfind("\n", counted, index) + 1
            self.counted = index
        return self.line, self.base + index - self.line_start + 1

    def _flush(self) -> None:
        """Keep what the current statement has read so far, then drop the consumed text."""
        pos = self.pos
        if self.in_stmt:
            segment = self.buf[self.piece_from:pos]
            if self.data:
                self.size += utf8_size(segment)
            elif not self.oversize:
                self.pieces.append(segment)
                self.length += len(segment)
                if self.length > MAX_STATEMENT:
                    self.oversize, self.pieces = True, []
            self.piece_from = 0
        self._locate(pos)
        self.buf, self.base, self.counted, self.pos = self.buf[pos:], self.base + pos, 0, 0

    def _begin(self, index: int) -> None:
        self.line0, self.col0 = self._locate(index)
        self.in_stmt, self.piece_from, self.pieces, self.length, self.size = True, index, [], 0, 0
        self.oversize, self.depth = False, 0
        self.data = self.dump and _DATA.match(self.buf, index) is not None
        head = None if self.data or self.delimiter != ";" else \
            ROUTINE_HEAD.match(uncomment_head(self.buf[index:index + HEAD]))
        self.compound = head is not None and head.group("kind").upper() != "VIEW"

    def _end(self, index: int, after: int, problem: str = "") -> None:
        segment = self.buf[self.piece_from:index]
        if self.data:
            self.size += utf8_size(segment)
            end_line, end_col = self._locate(index)
            self.out.append(Raw(None, self.line0, self.col0, end_line, end_col, self.size, True, problem))
        elif self.oversize or self.length + len(segment) > MAX_STATEMENT:
            end_line, end_col = self._locate(index)
            self.out.append(Raw(None, self.line0, self.col0, end_line, end_col, 0, False,
                                problem or f"statement longer than {MAX_STATEMENT >> 20} MB not analysed"))
        else:
            text = ("".join(self.pieces) + segment).rstrip()
            last = text.rfind("\n")
            end_line = self.line0 + text.count("\n")
            end_col = self.col0 + len(text) if last < 0 else len(text) - last
            self.out.append(Raw(text.replace("\r\n", "\n"), self.line0, self.col0, end_line, end_col, 0, False,
                                problem))
        self.in_stmt, self.pieces, self.pos = False, [], after

    def _scan(self, final: bool) -> None:
        buf, pos = self.buf, self.pos
        n = len(buf)
        limit = n if final else n - max(LOOK, len(self.delimiter))
        while pos < n:
            mode = self.mode
            if mode == NORMAL and not self.in_stmt:
                pos = _WS.match(buf, pos).end()
                if pos >= n or (not final and n - pos < HEAD):
                    break
                if buf[pos] == "#" or (buf.startswith("--", pos) and (pos + 2 >= n or buf[pos + 2] <= " ")):
                    self.mode, pos = LINE, pos + 1
                elif buf.startswith("/*", pos) and not _EXECUTABLE.match(buf, pos):
                    self.mode, pos = BLOCK, pos + 2
                elif _DELIMITER_CMD.match(buf, pos):
                    newline = buf.find("\n", pos)
                    if newline < 0 and not final:
                        break
                    end = n if newline < 0 else newline
                    words = buf[pos:end].split()
                    if DELIMITER_STATEMENTS:
                        line, col = self._locate(pos)
                        command = " ".join(words[:2])
                        self.out.append(Raw(command, line, col, line, col + len(command), 0, False))
                    if len(words) > 1:
                        self._set_delimiter(words[1])
                        limit = n if final else n - max(LOOK, len(words[1]))
                    pos = end
                elif buf.startswith(self.delimiter, pos):
                    pos += len(self.delimiter)
                else:
                    self._begin(pos)
            elif mode == NORMAL:
                run = self.compound_run if self.compound else self.run
                pos = run.match(buf, pos, limit).end()
                if pos >= limit:
                    if final:
                        pos = n
                    break
                char = buf[pos]
                if char in "'\"`":
                    self.mode, pos = char, pos + 1
                elif char == "#" or (buf.startswith("--", pos) and (pos + 2 >= n or buf[pos + 2] <= " ")):
                    self.mode, pos = LINE, pos + 1
                elif buf.startswith("/*", pos):
                    self.mode, pos = BLOCK, pos + 2
                elif buf.startswith(self.delimiter, pos) and not (self.compound and self.depth > 0):
                    self._end(pos, pos + len(self.delimiter))
                    pos = self.pos
                elif self.compound and (word := _WORD.match(buf, pos)):
                    if word.end() >= n and not final:
                        break
                    name = word.group().lower()
                    if name in ("begin", "case"):
                        self.depth += 1
                    elif name == "end":
                        after = _NEXT_WORD.match(buf, word.end())
                        if after.end() >= n and not final:
                            break
                        closes = after.group(1).lower()
                        if closes not in _NOT_BLOCK_END:
                            self.depth = max(0, self.depth - 1)
                        if closes in _NOT_BLOCK_END or closes == "case":  # END IF, END CASE: one closer
                            word = after
                    pos = word.end()
                else:
                    pos += 1
            elif mode == LINE:
                newline = buf.find("\n", pos)
                if newline < 0:
                    pos = n
                    break
                self.mode, pos = NORMAL, newline
            elif mode == BLOCK:
                close = buf.find("*/", pos)
                if close < 0:
                    pos = n if final else max(pos, n - 1)
                    break
                self.mode, pos = NORMAL, close + 2
            else:  # inside a quote
                stop = _QUOTE_STOP[mode].search(buf, pos)
                if stop is None:
                    pos = n
                    break
                at = stop.start()
                if buf[at] == "\\":
                    if at + 1 >= n and not final:
                        pos = at
                        break
                    pos = at + 2
                else:
                    self.mode, pos = NORMAL, at + 1
        self.pos = min(pos, n)
