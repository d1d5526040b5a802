"""Bounded scrollback for the console's panes: lines in, a tail out.

`Scrollback` keeps at most `max_lines` finished lines plus the line being
written, each with a prompt_toolkit style. `feed(text)` understands what a
guest terminal sends: "\\r\\n" and "\\n" end a line, a lone "\\r" returns to
the start of the line (what follows overwrites it), backspace moves left,
tabs expand to the next multiple of 8, ANSI escape sequences (colours,
cursor movement) are dropped, and other control characters are ignored.
Lines longer than MAX_LINE characters are broken. `scroll` is how many
lines the view is moved back from the bottom.
"""

from __future__ import annotations

import codecs
import collections
import re
from typing import Deque, List, Tuple

Line = Tuple[str, str]  # (style, text)

#: a line longer than this is broken (a guest that never prints a newline stays bounded too)
MAX_LINE = 4096

_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_PARTIAL_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*|\][^\x07\x1b]*)?$")


class Scrollback:
    """Lines of text with a cursor on the last one, bounded in memory."""

    def __init__(self, max_lines: int = 10_000) -> None:
        self.lines: Deque[Line] = collections.deque(maxlen=max_lines)
        self.current: List[str] = []  # the line being written
        self.style = ""  # the style of the line being written
        self.column = 0  # where the next character goes on the current line
        self.scroll = 0  # lines scrolled back from the bottom
        self._pending_cr = False
        self._carry = ""  # an escape sequence cut in two by a chunk boundary
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    # -- input ------------------------------------------------------------------
    def feed_bytes(self, data: bytes) -> None:
        """Guest output: UTF-8 (bad bytes shown as U+FFFD), terminal controls applied."""
        self.feed(self._decoder.decode(data))

    def feed(self, text: str) -> None:
        """Add text with terminal controls applied (see the module docstring)."""
        text = self._carry + text
        partial = _PARTIAL_ESCAPE.search(text)
        self._carry = partial.group(0) if partial else ""
        if partial:
            text = text[: partial.start()]
        for ch in _ESCAPE.sub("", text):
            self._put(ch)

    def write(self, text: str, style: str = "") -> None:
        """Add text in a style (the monitor pane): newlines end lines, nothing else is special."""
        for piece in re.split(r"(\n)", text):
            if piece == "\n":
                self._newline()
            elif piece:
                if self.style != style and self.current:
                    self._newline()
                self.style = style
                self._insert(piece)

    def _put(self, ch: str) -> None:
        if self._pending_cr:
            self._pending_cr = False
            if ch != "\n":
                self.column = 0
        if ch == "\n":
            self._newline()
        elif ch == "\r":
            self._pending_cr = True
        elif ch == "\b":
            self.column = max(0, self.column - 1)
        elif ch == "\t":
            self._insert(" " * (8 - self.column % 8))
        elif ch >= " " and ch != "\x7f":
            self._insert(ch)

    def _insert(self, text: str) -> None:
        if self.column + len(text) > MAX_LINE:
            self._newline()
        cur = self.current
        if self.column > len(cur):
            cur.extend(" " * (self.column - len(cur)))
        cur[self.column : self.column + len(text)] = text
        self.column += len(text)

    def _newline(self) -> None:
        self.lines.append((self.style, "".join(self.current)))
        self.current = []
        self.column = 0
        if self.scroll:
            self.scroll = min(self.scroll + 1, len(self.lines))

    # -- output -----------------------------------------------------------------
    def tail(self, count: int) -> List[Line]:
        """The last `count` lines (the current one included), ending `scroll` lines back."""
        total = len(self.lines) + 1
        end = total - min(self.scroll, total - 1)
        start = max(0, end - count)
        out: List[Line] = []
        for i in range(start, end):
            out.append(self.lines[i] if i < len(self.lines) else (self.style, "".join(self.current)))
        return out

    def text(self) -> str:
        """Everything kept, as plain text (for tests and copying)."""
        return "\n".join([t for _, t in self.lines] + ["".join(self.current)])

    def scroll_by(self, lines: int) -> None:
        """Move the view back (positive) or forward (negative); 0 is the bottom."""
        self.scroll = max(0, min(self.scroll + lines, len(self.lines)))
