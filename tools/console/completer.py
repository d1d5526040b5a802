"""Completion of console lines from the monitor registry (and the console's commands).

The first word completes to a command name; later words to what that
command takes (its options and fixed choices), as `Registry.completions()`
lists them. Abbreviated command names are resolved the way the registry
resolves them (a unique prefix).
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Optional

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

WordTable = Dict[str, List[str]]


class MonitorCompleter(Completer):
    """Command names, then their argument words."""

    def __init__(self, get_words: Callable[[], WordTable]) -> None:
        self.get_words = get_words

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.strip() and not complete_event.completion_requested:
            return  # an empty line shows no menu unless Tab asks
        words = text.split()
        typing_new_word = not words or text[-1:].isspace()
        prefix = "" if typing_new_word else words[-1]
        table = self.get_words()
        if len(words) + typing_new_word <= 1:
            candidates: Iterable[str] = table
            meta = "command"
        else:
            command = resolve(table, words[0])
            if command is None:
                return
            done = set(words[1:] if typing_new_word else words[1:-1])
            candidates = [w for w in table[command] if w not in done]
            meta = command
        for word in sorted(candidates):
            if word.startswith(prefix):
                yield Completion(word, start_position=-len(prefix), display_meta=meta)


def resolve(table: WordTable, word: str) -> Optional[str]:
    """The command `word` names: itself, or the only command it abbreviates."""
    if word in table:
        return word
    matches = [name for name in table if name.startswith(word)]
    return matches[0] if len(matches) == 1 else None
