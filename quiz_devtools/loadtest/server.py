"""Start and stop a real ``streamlit run serve.py`` on loopback, and read its CPU time and memory.

Always bounded: the start waits at most ``start_timeout`` seconds for ``/_stcore/health``, and
``stop`` terminates, waits, then kills. Use it as a context manager so the server is stopped
whatever happens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    """The server did not come up (its log's tail is in the message)."""


class AppServer:
    """``streamlit run serve.py`` from the repository root, on 127.0.0.1 only, with ``QUIZ_DB`` = ``db_path``."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        port: int | None = None,
        log_path: str | Path | None = None,
        options: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.db_path = Path(db_path)
        self.port = port or free_port()
        self.log_path = Path(log_path) if log_path else self.db_path.with_suffix(".server.log")
        self.options = options or {}
        self.env = env or {}
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self._last_stats: dict[str, float] = {"cpu_s": 0.0, "system_s": 0.0, "peak_rss_mb": 0.0}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        env = {**os.environ, "QUIZ_DB": str(self.db_path), "PYTHONUNBUFFERED": "1", **self.env}
        args = [
            sys.executable, "-m", "streamlit", "run", "serve.py",
            "--server.address", "127.0.0.1", "--server.port", str(self.port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        for name, value in self.options.items():
            args += [f"--{name}", str(value)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"streamlit did not start on {self.url}:\n{self.log_tail()}")
            time.sleep(0.2)

    def stats(self) -> dict[str, float]:
        """CPU seconds used so far and peak resident memory (MB), from /proc; the last known after exit."""
        if self.proc is None or self.proc.poll() is not None:
            return dict(self._last_stats)
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            user, system = int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS  # utime, stime
            peak_kb = 0
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = int(line.split()[1])
            self._last_stats = {
                "cpu_s": round(user + system, 2), "system_s": round(system, 2), "peak_rss_mb": round(peak_kb / 1024, 1)
            }  # fmt: skip
        except (OSError, ValueError, IndexError):
            pass
        return dict(self._last_stats)

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs, as in a power cut or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.stats()
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.stats()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def tracebacks(self) -> list[str]:
        """The tracebacks the server logged (each cut to its last 15 lines)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        blocks = text.split("Traceback (most recent call last):")[1:]
        return ["\n".join(b.strip().splitlines()[-15:]) for b in blocks]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
