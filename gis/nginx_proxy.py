"""Debian's nginx in front of app processes with the shipped config (deploy/nginx), as the tests and bench run it.

The config itself is deploy/nginx/zoneatlas.conf, the same file docker-compose hands to the nginx image; this
module only fills in its ${ZA_...} placeholders and wraps it in the few process-level lines an unprivileged,
throw-away nginx needs (pid, logs and temporary files in one directory, no daemon).
"""

import os
import pwd
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from gis.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "zoneatlas.conf"
NGINX = "/usr/sbin/nginx"
PLACEHOLDER = re.compile(r"\$\{(ZA_[A-Z_]+)\}")  # nginx's own $variables are left alone


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with every ${ZA_...} replaced; a placeholder without a value is an error, not an empty line."""
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise ValueError(f"no value for {', '.join(missing)} in {TEMPLATE.name}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def app_servers(app_urls: list[str]) -> str:
    """The upstream block's server lines for the apps' base URLs (http://host:port)."""
    return " ".join(f"server {urlsplit(url).netloc};" for url in app_urls)


def wrapper(directory: Path, workers: int) -> str:
    """The process-level lines around the shipped http{} file: everything nginx writes stays in directory."""
    user = f"user {pwd.getpwuid(0).pw_name};\n" if os.geteuid() == 0 else ""  # workers may write the temp dir
    temp = "".join(
        f"    {kind}_temp_path {directory / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes {workers};\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp}    include {directory / 'zoneatlas.conf'};\n}}\n"
    )


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Proxy(NamedTuple):
    """A running nginx: where it answers and its master process (the benchmark reads its CPU)."""

    url: str
    pid: int


@contextmanager
def running_proxy(app_urls: list[str], workers: int = 1) -> Iterator[Proxy]:
    """nginx with the shipped config in front of app_urls, on a free port of 127.0.0.1, until the block ends."""
    with tempfile.TemporaryDirectory(prefix="zoneatlas-nginx-") as name:
        directory = Path(name)
        port = free_port()
        values = {
            "ZA_LISTEN": f"127.0.0.1:{port}",
            "ZA_APP_SERVERS": app_servers(app_urls),
            "ZA_CACHE_DIR": str(directory / "cache"),
        }
        (directory / "zoneatlas.conf").write_text(render(TEMPLATE.read_text(), values))
        (directory / "nginx.conf").write_text(wrapper(directory, workers))
        command = [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"]
        check = subprocess.run([*command[:5], "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the config: {check.stderr.strip()}")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_listening(port, process)
            yield Proxy(f"http://127.0.0.1:{port}", process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_listening(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    """Return once nginx accepts connections; raise with its error output if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr and process.poll() is not None else ""
                raise RuntimeError(f"nginx did not start on port {port}: {error[-2000:]}") from None
            time.sleep(0.05)
