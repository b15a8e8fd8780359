"""Progress of a long step: a live counter on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """Call :meth:`advance` once per item; :meth:`close` when done.

    On a terminal the line is rewritten in place (at most every 1% of the
    total); when the output is a file or a pipe, one line is written at each
    quarter, so that logs stay short.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self._step = max(1, total // (100 if self.live else 4))

    def advance(self) -> None:
        self.done += 1
        if self.done % self._step == 0 or self.done == self.total:
            self._show()

    def _show(self) -> None:
        text = "   %s: %d / %d" % (self.label, self.done, self.total)
        if self.live:
            self.stream.write("\r" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
