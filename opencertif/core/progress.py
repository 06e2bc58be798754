"""A text progress bar for long commands, on stderr, quiet when not a terminal."""

import sys
import time


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30):
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_percent = -1

    def update(self, done: int, total: int, items: int | None = None) -> None:
        fraction = min(1.0, done / total) if total else 1.0
        percent = int(fraction * 100)
        if not self.tty and percent < self._last_percent + 10 and percent < 100:
            return
        if percent == self._last_percent and not self.tty:
            return
        self._last_percent = percent
        filled = int(fraction * self.width)
        bar = "█" * filled + "·" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        extra = f" {items:,} fiches".replace(",", " ") if items is not None else ""
        if items is None and total > 1:
            extra = f" {done:,}/{total:,}".replace(",", "\u202f")
        line = f"{self.label} [{bar}] {percent:3d} %{extra} ({elapsed:.0f} s)"
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
