"""A staff account for the benchmarks (a viewer unless asked otherwise), made with `zoneatlas users`, and a token."""

import os
import subprocess

from throughput import ROOT

ZONEATLAS = str(ROOT / ".venv" / "bin" / "zoneatlas")


def staff_token(url: str, username: str, role: str = "viewer") -> str:
    """Create the account with that role if missing (its random password is discarded) and return a new bearer token.

    The CLI is used as an administrator would; a viewer reads internal layers such as clearance_parcels, an editor
    (every province) also opens the workspace and writes.
    """
    env = {**os.environ, "DATABASE_URL": url}
    listed = subprocess.run([ZONEATLAS, "users", "list"], env=env, check=True, capture_output=True, text=True)
    if username not in (line.split("\t")[0] for line in listed.stdout.splitlines()):
        subprocess.run(
            [ZONEATLAS, "users", "add", username, "--role", role, "--display-name", "Benchmark"],
            env=env,
            check=True,
            capture_output=True,
        )
    issued = subprocess.run(
        [ZONEATLAS, "users", "token", username, "--name", "benchmark"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return issued.stdout.strip().splitlines()[-1]
