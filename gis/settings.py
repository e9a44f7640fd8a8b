"""Settings read from the environment, validated once at start-up."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+psycopg2://zoneatlas:zoneatlas@127.0.0.1:5432/zoneatlas"
# No remote basemap by default (boards' networks are often offline); an example for the message of a bad one.
EXAMPLE_BASEMAP_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_SECRET_KEY = "zoneatlas-development-secret-change-me"


class Settings(BaseSettings):
    """Everything the app needs from its environment; one instance per process via get_settings()."""

    # A refused setting is named, never echoed: errors would otherwise print SECRET_KEY and the database password.
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", hide_input_in_errors=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    # Streaming replicas that serve reads (comma-separated URLs); each is used only once it has replayed what the
    # reader must see, else the primary answers (gis/replicas.py, docs/scaling.md).
    database_read_urls: str = Field("", alias="DATABASE_READ_URLS")
    # How often each worker checks its replicas: one that stopped answering returns to rotation after a good check.
    replica_check_seconds: float = Field(2.0, alias="REPLICA_CHECK_SECONDS", gt=0, le=300)
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8000, alias="PORT")
    workers: int = Field(1, alias="WORKERS")
    environment: str = Field("development", alias="ZONEATLAS_ENV")
    data_dir: Path = Field(PROJECT_ROOT / "data", alias="ZONEATLAS_DATA_DIR")
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE")
    # A "SELECT 1" before every pooled connection is handed out: survives a database restart silently, but costs a
    # round trip per request. Off, a restart fails one request per worker and the pool reconnects (docs/scaling.md).
    db_pre_ping: bool = Field(True, alias="DB_PRE_PING")
    # Encoded vector tiles kept per worker process, keyed by the layers' change version (0 turns the cache off).
    tile_cache_size: int = Field(2048, alias="TILE_CACHE_SIZE")
    # Layers' change versions kept in memory, fed by LISTEN/NOTIFY (one extra connection per worker): a cached tile
    # then costs no database round trip. Off, every tile asks the database for the versions.
    change_feed: bool = Field(True, alias="CHANGE_FEED")
    access_log: bool = Field(True, alias="ACCESS_LOG")
    # Items pages and tiles served by their routes' own dependencies and endpoint called directly, without FastAPI's
    # per-request machinery (api/lean_routes.py); false sends them through FastAPI like every other route.
    lean_routes: bool = Field(True, alias="LEAN_ROUTES")
    import_max_bytes: int = Field(50 * 1024 * 1024, alias="IMPORT_MAX_BYTES")
    # A decision's signed PDF, stored in PostgreSQL: larger uploads are refused with 413.
    document_max_bytes: int = Field(20 * 1024 * 1024, alias="DOCUMENT_MAX_BYTES")
    # Background tiles of the map pages; empty or "none" for none (the pages draw our own outlines anyway).
    basemap_url: str | None = Field(None, alias="BASEMAP_URL")
    # A "nearest" seaport, gate, airport… farther than this is reported as none within it (sheets, finder, API).
    nearest_bound_km: float = Field(300.0, alias="NEAREST_BOUND_KM", gt=0, le=5000)
    secret_key: str = Field(DEFAULT_SECRET_KEY, alias="SECRET_KEY")
    cors_origins: str = Field("", alias="CORS_ORIGINS")
    max_body_bytes: int = Field(10 * 1024 * 1024, alias="MAX_BODY_BYTES")
    max_upload_bytes: int = Field(200 * 1024 * 1024, alias="MAX_UPLOAD_BYTES")
    session_hours: float = Field(12, alias="SESSION_HOURS")
    login_max_failures: int = Field(10, alias="LOGIN_MAX_FAILURES")
    login_window_seconds: int = Field(300, alias="LOGIN_WINDOW_SECONDS")
    # Sign-ins, successful or not, per client address per window.
    login_max_attempts: int = Field(60, alias="LOGIN_MAX_ATTEMPTS")
    # Passwords checked at once per process (argon2id takes 64 MiB each); more wait, then get 429 with Retry-After.
    password_checks: int = Field(2, alias="PASSWORD_CHECKS")
    # Origins besides the app's own whose pages may send writes signed by the session cookie (comma-separated).
    trusted_origins: str = Field("", alias="TRUSTED_ORIGINS")
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or networks).
    trusted_proxies: str = Field("", alias="TRUSTED_PROXIES")

    @property
    def read_url_list(self) -> list[str]:
        """DATABASE_READ_URLS as a list of psycopg2 URLs (validated at start-up)."""
        return [psycopg2_url(url.strip()) for url in self.database_read_urls.split(",") if url.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        """CORS_ORIGINS as a list (comma-separated in the environment)."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def trusted_origin_list(self) -> list[str]:
        """TRUSTED_ORIGINS as a list of scheme://host[:port]."""
        return [origin.strip().rstrip("/") for origin in self.trusted_origins.split(",") if origin.strip()]

    @property
    def is_development(self) -> bool:
        """Development mode: plain-HTTP cookies and the default secret are tolerated."""
        return self.environment == "development"

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> "Settings":
        """Refuse to start in production with the well-known default secret or a short one."""
        if self.environment == "production" and (self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32):
            raise ValueError(
                "ZONEATLAS_ENV=production needs SECRET_KEY set to a random value of at least 32 characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @field_validator("basemap_url")
    @classmethod
    def _no_basemap(cls, url: str | None) -> str | None:
        """BASEMAP_URL='' or 'none' turns the basemap off; otherwise an http(s) tile URL with {z}/{x}/{y}."""
        if url is None or url.strip().lower() in ("", "none", "off"):
            return None
        if not url.startswith(("http://", "https://", "/")) or "{z}" not in url:
            raise ValueError("BASEMAP_URL must be a tile URL with {z}, {x} and {y}, e.g. " + EXAMPLE_BASEMAP_URL)
        return url.strip()

    @field_validator("database_url")
    @classmethod
    def _use_psycopg2(cls, url: str) -> str:
        """Accept plain postgresql:// URLs (as docker and libpq users write them) and pin the driver."""
        return psycopg2_url(url)

    @field_validator("database_read_urls")
    @classmethod
    def _read_urls(cls, urls: str) -> str:
        """Every replica URL must be a PostgreSQL URL too (checked here so a typo stops the start-up)."""
        for url in urls.split(","):
            if url.strip():
                psycopg2_url(url.strip(), "DATABASE_READ_URLS")
        return urls


def psycopg2_url(url: str, setting: str = "DATABASE_URL") -> str:
    """A postgres:// or postgresql:// URL with the psycopg2 driver pinned; anything else is refused by name."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://") :]
    if not url.startswith("postgresql+psycopg2://"):
        raise ValueError(f"{setting} must be a PostgreSQL URL, e.g. postgresql://user:pass@host:5432/db")
    return url


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
