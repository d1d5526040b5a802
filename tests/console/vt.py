"""A small VT100 screen: enough of a terminal to read what prompt_toolkit draws.

prompt_toolkit redraws by difference (it moves the cursor and rewrites only
what changed), so its raw output cannot be searched for text; feeding it to
a `Screen` and reading `screen.text()` gives what a person would see.
"""

from __future__ import annotations

import re
from typing import List

_CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


class Screen:
    """Rows x columns of characters and a cursor; `feed(text)` applies terminal output."""

    def __init__(self, rows: int = 40, cols: int = 120) -> None:
        self.rows, self.cols = rows, cols
        self.grid: List[List[str]] = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._carry = ""

    # -- the stream-like face prompt_toolkit's Vt100_Output writes to ---------------------
    encoding = "utf-8"

    def write(self, text: str) -> int:
        self.feed(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    # -- terminal ------------------------------------------------------------------------
    def feed(self, text: str) -> None:
        text = self._carry + text
        self._carry = ""
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                used = self._escape(text, i)
                if used == 0:  # an incomplete sequence: wait for the rest
                    self._carry = text[i:]
                    return
                i += used
                continue
            self._char(ch)
            i += 1

    def _escape(self, text: str, i: int) -> int:
        m = _CSI.match(text, i)
        if m:
            self._csi(m.group(1), m.group(2), m.group(4))
            return m.end() - i
        m = _OSC.match(text, i)
        if m:
            return m.end() - i
        if i + 1 >= len(text) or (text[i + 1] in "[]" and not re.search(r"[@-~\x07]", text[i + 2:])):
            return 0
        return 2  # ESC = , ESC > , ESC 7 ...: modes that change nothing visible

    def _csi(self, private: str, params: str, final: str) -> None:
        nums = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = nums[0] if nums and nums[0] else 1
        if private:
            if final == "h" and nums and nums[0] == 1049:
                self._clear(0, self.rows)
            return
        if final in "Hf":
            self.row = min(max((nums[0] if nums and nums[0] else 1) - 1, 0), self.rows - 1)
            self.col = min(max((nums[1] if len(nums) > 1 and nums[1] else 1) - 1, 0), self.cols - 1)
        elif final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.col = min(self.cols - 1, self.col + n)
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "G":
            self.col = min(self.cols - 1, n - 1)
        elif final == "K":
            self._erase_line(nums[0] if nums else 0)
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode == 2:
                self._clear(0, self.rows)
            else:
                self._erase_line(0)
                self._clear(self.row + 1, self.rows)

    def _erase_line(self, mode: int) -> None:
        line = self.grid[self.row]
        start, end = {0: (self.col, self.cols), 1: (0, self.col + 1)}.get(mode, (0, self.cols))
        for c in range(start, min(end, self.cols)):
            line[c] = " "

    def _clear(self, first: int, last: int) -> None:
        for r in range(first, last):
            self.grid[r] = [" "] * self.cols

    def _char(self, ch: str) -> None:
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self._line_feed()
        elif ch == "\b":
            self.col = max(0, self.col - 1)
        elif ch >= " ":
            if self.col >= self.cols:
                self.col = 0
                self._line_feed()
            self.grid[self.row][self.col] = ch
            self.col += 1

    def _line_feed(self) -> None:
        if self.row == self.rows - 1:
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.row += 1

    def text(self) -> str:
        """What the screen shows, one line per row, trailing blanks removed."""
        return "\n".join("".join(line).rstrip() for line in self.grid)

    def line_with(self, needle: str) -> str:
        """The first row containing `needle`, or ""."""
        return next((line for line in self.text().splitlines() if needle in line), "")
