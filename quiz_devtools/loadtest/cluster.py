"""N app processes behind Debian's nginx on loopback: the production set-up of deploy/, for tests and load tests.

Renders ``deploy/nginx/hvidovrevejen.conf`` as it is, except for the addresses: its ``listen``
becomes a free loopback port, and the ``upstream`` lists the processes started here (each an
:class:`AppServer` on its own free port, all on one progress.db). nginx runs unprivileged-style
from a folder of its own (``nginx -p DIR -c nginx.conf``, temp files and logs there) and adds one
header for tests, ``X-Hv-Upstream``, naming the process that answered. Bounded like AppServer:
starting waits a limited time for ``/healthz`` through nginx; ``stop`` ends everything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from quiz_devtools.loadtest.server import REPO, AppServer, ServerError, free_port

NGINX_SITE = REPO / "deploy" / "nginx" / "hvidovrevejen.conf"
ROUTE_COOKIE = "hv_route"
UPSTREAM_HEADER = "X-Hv-Upstream"

MAIN_CONF = """\
# Written by quiz_devtools.loadtest.cluster for a test; the site below is deploy/nginx/hvidovrevejen.conf.
worker_processes {workers};
{user}
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    log_format hv '$remote_addr "$request" $status $upstream_addr $cookie_hv_route';
    access_log {dir}/access.log hv;
{site}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def render_site(site: str, *, listen_port: int, app_ports: list[int]) -> str:
    """The deploy site with this run's addresses, and the test header naming the answering process."""
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in app_ports)
    site, found = re.subn(
        r"(upstream hvidovrevejen \{\n(?:.*\n)*?)((?:\s*server 127\.0\.0\.1:\d+[^\n]*\n)+)",
        lambda m: m[1] + servers,
        site,
    )
    if found != 1:
        raise ValueError("deploy/nginx/hvidovrevejen.conf: no upstream server lines found")
    site, found = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", site)
    if found != 1:
        raise ValueError("deploy/nginx/hvidovrevejen.conf: no 'listen 80;' found")
    header = f"        add_header {UPSTREAM_HEADER} $upstream_addr always;\n"
    return site.replace("        add_header Set-Cookie", header + "        add_header Set-Cookie", 1)


class Cluster:
    """``processes`` app servers on one ``db_path`` behind nginx; ``url`` is nginx's address."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        processes: int = 2,
        workdir: str | Path,
        options: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        nginx_workers: int = 1,
        start_timeout: float = 90.0,
    ) -> None:
        self.db_path = Path(db_path)
        self.dir = Path(workdir)
        self.port = free_port()
        # As deploy/systemd/env.example: every process believes nginx (loopback) for the client's
        # address and scheme, and pushes a live room's updates 16 at a time.
        env = {"QUIZ_TRUSTED_PROXIES": "127.0.0.1,::1", **(env or {})}
        self.servers = [
            AppServer(
                db_path, log_path=self.dir / f"app-{n + 1}.log", options=options, env=env, start_timeout=start_timeout
            )
            for n in range(processes)
        ]
        self.nginx_workers = nginx_workers
        self.start_timeout = start_timeout
        self.nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Cluster:
        binary = nginx_binary()
        if binary is None:
            raise ServerError("nginx is not installed (Debian: apt-get install nginx)")
        for server in self.servers:
            server.start()
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        site = render_site(
            NGINX_SITE.read_text(encoding="utf-8"), listen_port=self.port, app_ports=[s.port for s in self.servers]
        )
        # Run as root (CI), nginx's workers would become "nobody", who may not read this folder.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = MAIN_CONF.format(workers=self.nginx_workers, user=user, dir=self.dir, site=site)
        (self.dir / "nginx.conf").write_text(conf, encoding="utf-8")
        with open(self.dir / "nginx.out", "ab") as out:
            self.nginx = subprocess.Popen(
                [binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "error.log").read_text(errors="replace") if (self.dir / "error.log").exists() else ""
                self.stop()
                raise ServerError(f"nginx did not start on {self.url}:\n{log[-2000:]}")
            time.sleep(0.2)

    def process_for(self, route: str) -> int:
        """Which process (index into ``servers``) nginx sends a browser with ``hv_route=route`` to."""
        request = urllib.request.Request(f"{self.url}/healthz", headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            upstream = response.headers[UPSTREAM_HEADER]
        port = int(upstream.rsplit(":", 1)[1])
        return next(n for n, s in enumerate(self.servers) if s.port == port)

    def routes(self, per_process: int) -> list[list[str]]:
        """``per_process`` route-cookie values for each process, found by asking nginx."""
        found: list[list[str]] = [[] for _ in self.servers]
        n = 0
        while any(len(f) < per_process for f in found):
            n += 1
            if n > 200 * per_process * len(self.servers):
                raise ServerError(f"nginx routes no browser to some process: {[len(f) for f in found]}")
            route = f"r{n:05d}"
            target = found[self.process_for(route)]
            if len(target) < per_process:
                target.append(route)
        return found

    def websockets_per_process(self) -> dict[str, int]:
        """How many websockets nginx passed to each process so far (port -> count), from its access log."""
        try:
            log = (self.dir / "access.log").read_text(errors="replace")
        except OSError:
            return {}
        ports = re.findall(r'"GET [^"]*/_stcore/stream HTTP/1\.1" 101 127\.0\.0\.1:(\d+)', log)
        return {str(s.port): ports.count(str(s.port)) for s in self.servers}

    def stats(self) -> list[dict[str, float]]:
        return [s.stats() for s in self.servers]

    def tracebacks(self) -> list[str]:
        return [t for s in self.servers for t in s.tracebacks()]

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(timeout=10)
        for server in self.servers:
            server.stop()

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
