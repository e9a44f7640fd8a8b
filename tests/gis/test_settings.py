"""Settings refused at start-up say which setting is wrong, never its value."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from gis.settings import Settings

SECRET = "s3cr3t!"  # short enough to be refused, and to show whole in a truncated echo of the input
PASSWORD = "db-password-0815"


def test_a_refused_secret_is_named_not_printed():
    with pytest.raises(ValidationError, match="SECRET_KEY") as refused:
        Settings(DATABASE_URL=f"postgresql://u:{PASSWORD}@127.0.0.1/x", ZONEATLAS_ENV="production", SECRET_KEY=SECRET)
    assert SECRET not in str(refused.value) and PASSWORD not in str(refused.value)
    env = {**os.environ, "ZONEATLAS_ENV": "production", "SECRET_KEY": SECRET}
    env["DATABASE_URL"] = f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"
    result = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", "1"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    assert SECRET not in result.stdout + result.stderr and PASSWORD not in result.stdout + result.stderr


def test_a_refused_database_url_does_not_echo_its_password():
    with pytest.raises(ValidationError, match="DATABASE_URL must be a PostgreSQL URL") as refused:
        Settings(DATABASE_URL=f"mysql://u:{PASSWORD}@127.0.0.1/x")
    assert PASSWORD not in str(refused.value)


def test_the_nearest_place_bound_is_300_km_unless_set_and_must_be_a_positive_distance():
    assert Settings().nearest_bound_km == 300
    assert Settings(NEAREST_BOUND_KM="150").nearest_bound_km == 150
    for refused in ("0", "-5", "far"):
        with pytest.raises(ValidationError, match="NEAREST_BOUND_KM"):
            Settings(NEAREST_BOUND_KM=refused)


def test_read_replica_urls_are_a_list_of_postgresql_urls_and_a_wrong_one_is_named_not_echoed():
    settings = Settings(DATABASE_READ_URLS=" postgres://r@10.0.0.2/za , ,postgresql+psycopg2://r@10.0.0.3:6432/za")
    assert settings.read_url_list == ["postgresql+psycopg2://r@10.0.0.2/za", "postgresql+psycopg2://r@10.0.0.3:6432/za"]
    assert Settings().read_url_list == []
    with pytest.raises(ValidationError, match="DATABASE_READ_URLS must be a PostgreSQL URL") as refused:
        Settings(DATABASE_READ_URLS=f"postgresql://r@10.0.0.2/za,mysql://u:{PASSWORD}@10.0.0.3/x")
    assert PASSWORD not in str(refused.value)
