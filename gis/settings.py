"""Settings read from the environment, validated once at start-up."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+psycopg2://zoneatlas:zoneatlas@127.0.0.1:5432/zoneatlas"


class Settings(BaseSettings):
    """Everything the app needs from its environment; one instance per process via get_settings()."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8000, alias="PORT")
    workers: int = Field(1, alias="WORKERS")
    environment: str = Field("development", alias="ZONEATLAS_ENV")
    data_dir: Path = Field(PROJECT_ROOT / "data", alias="ZONEATLAS_DATA_DIR")
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE")
    access_log: bool = Field(True, alias="ACCESS_LOG")

    @field_validator("database_url")
    @classmethod
    def _use_psycopg2(cls, url: str) -> str:
        """Accept plain postgresql:// URLs (as docker and libpq users write them) and pin the driver."""
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg2://" + url[len("postgresql://") :]
        if not url.startswith("postgresql+psycopg2://"):
            raise ValueError("DATABASE_URL must be a PostgreSQL URL, e.g. postgresql://user:pass@host:5432/db")
        return url


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
