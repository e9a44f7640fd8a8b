"""The PostGIS schema: SQLAlchemy 2 + GeoAlchemy2 tables that Alembic migrates and layers read."""

from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, DATERANGE, JSONB, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from gis.vocab import (
    AdminLevel,
    Authority,
    BasemapKind,
    DecisionKind,
    FacilityStatus,
    FindingKind,
    FindingStatus,
    FunctionalAreaType,
    GateMode,
    Milestone,
    ParkKind,
    ParkType,
    PlanLevel,
    PlotStatus,
    ProjectStatus,
    RentBasis,
    Role,
    SubmissionLevel,
    TaskStatus,
    TransportLineKind,
    TransportNodeKind,
    ZoneType,
    sql_in,
)

SRID = 4326


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


def geom_column(geometry_type: str, nullable: bool = False) -> Mapped:
    """A geometry column in EPSG:4326 with a GiST index (GeoAlchemy2 creates it)."""
    return mapped_column(Geometry(geometry_type, srid=SRID, spatial_index=True), nullable=nullable)


def enum_check(column: str, values, name: str) -> CheckConstraint:
    """CHECK that a text column holds one of an enum's values."""
    return CheckConstraint(f"{column} IN {sql_in(values)}", name=name)


def valid_geometry_check(table: str) -> CheckConstraint:
    """Reject invalid geometry in the database itself, whatever the write path."""
    return CheckConstraint("geom IS NULL OR ST_IsValid(geom)", name=f"ck_{table}_geom_valid")


def area_ha_column() -> Mapped:
    """Area in hectares on the WGS84 ellipsoid, derived by PostGIS so it can never disagree with geom."""
    return mapped_column(Numeric(14, 4), Computed("ST_Area(geom::geography) / 10000.0", persisted=True))


class ProvenanceMixin:
    """Every spatial record says whether its geometry is illustrative and where its facts come from."""

    geometry_illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class LifecycleDecisionMixin:
    """The decision that put a planned thing at its current lifecycle step (0022)."""

    __tablename__: str  # set by every table class that uses the mixin

    @declared_attr
    def lifecycle_decision_id(cls) -> Mapped[int | None]:
        """Plan approval, investment or construction decision, or acceptance into operation; None when unknown."""
        return mapped_column(ForeignKey("decisions.id", name=f"fk_{cls.__tablename__}_lifecycle_decision"), index=True)


class LifecycleMixin(LifecycleDecisionMixin):
    """Proposed → in the approved plan → under construction → operating (zones, parks, lines; 0022)."""

    lifecycle: Mapped[str] = mapped_column(String(24), nullable=False, server_default="operating")


def lifecycle_check(table: str) -> CheckConstraint:
    """The lifecycle is one of its steps."""
    return enum_check("lifecycle", FacilityStatus, f"ck_{table}_lifecycle")


class NamedMixin:
    """Vietnamese name required, English optional."""

    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)


class VersionedMixin:
    """One row per version of a planned thing: valid from a decision until the next one changes it.

    `uid` is the stable identity across versions; `valid_during` is a generated daterange so that
    "as of a date" and "under decision X" are one GiST-indexed containment test, and an exclusion
    constraint forbids two versions of one thing overlapping in time.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_during = mapped_column(DATERANGE, Computed("daterange(valid_from, valid_to, '[)')", persisted=True))

    @declared_attr
    def decision_id(cls) -> Mapped[int]:
        """The decision that made this version."""
        return mapped_column(ForeignKey("decisions.id"), nullable=False, index=True)

    @classmethod
    def version_table_args(cls, table: str) -> tuple:
        """Constraints and indexes every versioned table carries."""
        return (
            CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name=f"ck_{table}_valid_range"),
            ExcludeConstraint(("uid", "="), ("valid_during", "&&"), using="gist", name=f"ex_{table}_uid_no_overlap"),
            Index(f"ix_{table}_valid_during", "valid_during", postgresql_using="gist"),
            Index(f"ix_{table}_current", "uid", unique=True, postgresql_where=text("valid_to IS NULL")),
        )


# --- lookups (data, not code) -------------------------------------------------------------------------


class LandUseCode(Base):
    """Cadastral land-use type (loại đất) per circular, loaded from a versioned CSV."""

    __tablename__ = "landuse_codes"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)
    group_code: Mapped[str | None] = mapped_column(String(8))
    circular: Mapped[str] = mapped_column(Text, nullable=False)


class PlanningFunction(Base):
    """Planning land function (chức năng sử dụng đất) with its planning-map colour."""

    __tablename__ = "planning_functions"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(7), nullable=False)
    leasable: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    __table_args__ = (CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name="ck_planning_functions_color"),)


class GateClass(Base):
    """Border-gate class: international, main, secondary, crossing."""

    __tablename__ = "gate_classes"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)


class CrsChoice(Base):
    """Coordinate systems offered to users (VN-2000 zones, WGS84, Web Mercator)."""

    __tablename__ = "crs_choices"
    epsg: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)


# --- administrative units and decisions -----------------------------------------------------------------


class AdminUnit(NamedMixin, ProvenanceMixin, Base):
    """Province or commune, valid for a period: merged provinces keep their old names for older records."""

    __tablename__ = "admin_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(32))
    merged_into: Mapped[str | None] = mapped_column(String(32))
    tm3_epsg: Mapped[int | None] = mapped_column(ForeignKey("crs_choices.epsg"))
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_during = mapped_column(DATERANGE, Computed("daterange(valid_from, valid_to, '[)')", persisted=True))
    geom = geom_column("MULTIPOLYGON", nullable=True)
    __table_args__ = (
        enum_check("level", AdminLevel, "ck_admin_units_level"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="ck_admin_units_valid_range"),
        ExcludeConstraint(("code", "="), ("valid_during", "&&"), using="gist", name="ex_admin_units_code"),
        valid_geometry_check("admin_units"),
    )


class Decision(Base):
    """A legal document (quyết định, nghị quyết…) that approves or changes plans, zones or projects."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    title_vi: Mapped[str] = mapped_column(Text, nullable=False)
    title_en: Mapped[str | None] = mapped_column(Text)
    date_signed: Mapped[date] = mapped_column(Date, nullable=False)
    date_effective: Mapped[date] = mapped_column(Date, nullable=False)
    authority: Mapped[str] = mapped_column(String(32), nullable=False)
    authority_name_vi: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    plan_level: Mapped[str | None] = mapped_column(String(16))
    horizon_year: Mapped[int | None] = mapped_column(Integer)
    vision_year: Mapped[int | None] = mapped_column(Integer)
    zone_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    # The project a decision concerns (investment policy, land recovery, compensation plan, lease): by its uid.
    project_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    document_filename: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_size: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        enum_check("authority", Authority, "ck_decisions_authority"),
        enum_check("kind", DecisionKind, "ck_decisions_kind"),
        CheckConstraint(f"plan_level IS NULL OR plan_level IN {sql_in(PlanLevel)}", name="ck_decisions_level"),
        CheckConstraint("date_effective >= date_signed", name="ck_decisions_dates"),
        CheckConstraint("supersedes_id IS NULL OR supersedes_id <> id", name="ck_decisions_not_self"),
        CheckConstraint(
            "(document_sha256 IS NULL) = (document_filename IS NULL) "
            "AND (document_sha256 IS NULL) = (document_size IS NULL)",
            name="ck_decisions_document",
        ),
        ForeignKeyConstraint(
            ["document_sha256", "document_size"],
            ["documents.sha256", "documents.size"],
            name="fk_decisions_document",
        ),
    )


class Document(Base):
    """A stored file (a decision's signed PDF), keyed by the sha256 of its bytes so the same file is kept once."""

    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    media_type: Mapped[str] = mapped_column(Text, nullable=False)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    __table_args__ = (
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="ck_documents_sha256"),
        CheckConstraint("size = octet_length(content)", name="ck_documents_size"),
        UniqueConstraint("sha256", "size", name="uq_documents_sha256_size"),
    )


# --- versioned planned things ---------------------------------------------------------------------------


class EconomicZone(VersionedMixin, LifecycleMixin, NamedMixin, ProvenanceMixin, Base):
    """Economic zone (KKT) or border-gate economic zone (KKTCK), one row per boundary version."""

    __tablename__ = "economic_zones"
    zone_type: Mapped[str] = mapped_column(String(16), nullable=False)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    official_area_ha: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    area_ha = area_ha_column()
    geom = geom_column("MULTIPOLYGON")
    __table_args__ = (
        enum_check("zone_type", ZoneType, "ck_economic_zones_type"),
        lifecycle_check("economic_zones"),
        valid_geometry_check("economic_zones"),
        *VersionedMixin.version_table_args("economic_zones"),
    )


class FunctionalArea(VersionedMixin, NamedMixin, ProvenanceMixin, Base):
    """Functional area (khu chức năng) of an economic zone, versioned by plan decisions."""

    __tablename__ = "functional_areas"
    zone_uid: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    area_type: Mapped[str] = mapped_column(String(32), nullable=False)
    area_ha = area_ha_column()
    geom = geom_column("MULTIPOLYGON")
    __table_args__ = (
        enum_check("area_type", FunctionalAreaType, "ck_functional_areas_type"),
        valid_geometry_check("functional_areas"),
        *VersionedMixin.version_table_args("functional_areas"),
    )


class IndustrialPark(VersionedMixin, LifecycleMixin, NamedMixin, ProvenanceMixin, Base):
    """Industrial park (KCN) or cluster (CCN) with developer, term, prices and capacities."""

    __tablename__ = "industrial_parks"
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    park_type: Mapped[str] = mapped_column(String(24), nullable=False, server_default="regular")
    zone_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    developer: Mapped[str | None] = mapped_column(Text)
    operating_from: Mapped[date | None] = mapped_column(Date)
    operating_to: Mapped[date | None] = mapped_column(Date)
    land_rent_usd_m2_min: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    land_rent_usd_m2_max: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    factory_rent_usd_m2_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    power_kv: Mapped[int | None] = mapped_column(Integer)
    water_m3_day: Mapped[int | None] = mapped_column(Integer)
    wastewater_m3_day: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str | None] = mapped_column(Text)
    official_area_ha: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    area_ha = area_ha_column()
    geom = geom_column("MULTIPOLYGON")
    __table_args__ = (
        enum_check("kind", ParkKind, "ck_industrial_parks_kind"),
        enum_check("park_type", ParkType, "ck_industrial_parks_type"),
        lifecycle_check("industrial_parks"),
        CheckConstraint(
            "land_rent_usd_m2_min IS NULL OR land_rent_usd_m2_max IS NULL "
            "OR land_rent_usd_m2_min <= land_rent_usd_m2_max",
            name="ck_industrial_parks_rent_range",
        ),
        CheckConstraint(
            "operating_to IS NULL OR operating_from IS NULL OR operating_to > operating_from",
            name="ck_industrial_parks_term",
        ),
        valid_geometry_check("industrial_parks"),
        *VersionedMixin.version_table_args("industrial_parks"),
    )


class LandPlot(VersionedMixin, ProvenanceMixin, Base):
    """Land plot (lô đất) that investors lease, inside a park or functional area."""

    __tablename__ = "land_plots"
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name_vi: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    park_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    zone_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    planning_function: Mapped[str] = mapped_column(ForeignKey("planning_functions.code"), nullable=False)
    landuse_code: Mapped[str | None] = mapped_column(ForeignKey("landuse_codes.code"))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    land_rent_usd_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    area_ha = area_ha_column()
    geom = geom_column("POLYGON")
    __table_args__ = (
        enum_check("status", PlotStatus, "ck_land_plots_status"),
        CheckConstraint("park_uid IS NOT NULL OR zone_uid IS NOT NULL", name="ck_land_plots_parent"),
        CheckConstraint("land_rent_usd_m2 IS NULL OR land_rent_usd_m2 >= 0", name="ck_land_plots_rent"),
        valid_geometry_check("land_plots"),
        *VersionedMixin.version_table_args("land_plots"),
    )


# --- points and lines used for distances --------------------------------------------------------------


class BorderGate(NamedMixin, ProvenanceMixin, Base):
    """Border gate (cửa khẩu) with its class and counterpart across the border."""

    __tablename__ = "border_gates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    gate_class: Mapped[str] = mapped_column(ForeignKey("gate_classes.code"), nullable=False)
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default="VN")
    counterpart_uid: Mapped[str | None] = mapped_column(String(64))
    counterpart_name: Mapped[str | None] = mapped_column(Text)
    counterpart_country: Mapped[str | None] = mapped_column(String(2))
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    zone_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    opened_on: Mapped[date | None] = mapped_column(Date)
    geom = geom_column("POINT")
    __table_args__ = (
        enum_check("mode", GateMode, "ck_border_gates_mode"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="ck_border_gates_country"),
    )


class LogisticsCentre(LifecycleDecisionMixin, NamedMixin, ProvenanceMixin, Base):
    """Logistics centre (trung tâm logistics), planned or operating."""

    __tablename__ = "logistics_centres"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    operator: Mapped[str | None] = mapped_column(Text)
    planned_area_ha: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    geom = geom_column("POINT")
    __table_args__ = (enum_check("status", FacilityStatus, "ck_logistics_centres_status"),)


class TransportNode(LifecycleDecisionMixin, NamedMixin, ProvenanceMixin, Base):
    """Seaport, river port, airport or expressway junction that distances are measured to."""

    __tablename__ = "transport_nodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, server_default="operating")
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    capacity_note: Mapped[str | None] = mapped_column(Text)
    geom = geom_column("POINT")
    __table_args__ = (
        enum_check("kind", TransportNodeKind, "ck_transport_nodes_kind"),
        enum_check("status", FacilityStatus, "ck_transport_nodes_status"),
    )


class TransportLine(LifecycleMixin, NamedMixin, ProvenanceMixin, Base):
    """National/provincial road, expressway or canal."""

    __tablename__ = "transport_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    ref: Mapped[str | None] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    length_km = mapped_column(Numeric(10, 3), Computed("ST_Length(geom::geography) / 1000.0", persisted=True))
    geom = geom_column("MULTILINESTRING")
    __table_args__ = (
        enum_check("kind", TransportLineKind, "ck_transport_lines_kind"),
        lifecycle_check("transport_lines"),
        valid_geometry_check("transport_lines"),
    )


# --- investment projects --------------------------------------------------------------------------------


class Project(NamedMixin, ProvenanceMixin, Base):
    """Investment project (dự án đầu tư); 'delayed' is derived from its milestones."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    investor: Mapped[str] = mapped_column(Text, nullable=False)
    investor_country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(Text, nullable=False)
    capital_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    capital_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    zone_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    park_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    policy_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    site_area_ha: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    geom = geom_column("POINT")
    __table_args__ = (
        enum_check("status", ProjectStatus, "ck_projects_status"),
        CheckConstraint("capital_vnd IS NULL OR capital_vnd >= 0", name="ck_projects_capital_vnd"),
        CheckConstraint("capital_usd IS NULL OR capital_usd >= 0", name="ck_projects_capital_usd"),
    )


class ProjectMilestone(Base):
    """Committed and actual date of one milestone of a project."""

    __tablename__ = "project_milestones"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    milestone: Mapped[str] = mapped_column(String(24), primary_key=True)
    committed_on: Mapped[date | None] = mapped_column(Date)
    actual_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (enum_check("milestone", Milestone, "ck_project_milestones_milestone"),)


class ProjectPlot(Base):
    """Many-to-many link between projects and the plots (by stable uid) they occupy."""

    __tablename__ = "project_plots"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    plot_uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    __table_args__ = (Index("ix_project_plots_plot_uid", "plot_uid"),)


FIGURE_MEASURES = (
    "revenue_vnd",
    "exports_usd",
    "imports_usd",
    "budget_vnd",
    "workers_domestic",
    "workers_foreign",
    "new_jobs",
)
FIGURE_CAPITAL = (
    "registered_capital_vnd",
    "registered_capital_usd",
    "implemented_capital_vnd",
    "implemented_capital_usd",
)


def _not_negative(table: str, columns: tuple[str, ...]) -> CheckConstraint:
    """No measure below zero."""
    return CheckConstraint(" AND ".join(f"coalesce({c}, 0) >= 0" for c in columns), name=f"ck_{table}_not_negative")


class EnterpriseFigures(Base):
    """One project's reported figures for a year, quarter or month, as an estimate (ước) or final; both are kept."""

    __tablename__ = "enterprise_figures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    period_kind: Mapped[str] = mapped_column(String(8), nullable=False, server_default="year")
    period: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    basis: Mapped[str] = mapped_column(String(8), nullable=False, server_default="final")
    revenue_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    exports_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    imports_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    budget_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    workers_domestic: Mapped[int | None] = mapped_column(Integer)
    workers_foreign: Mapped[int | None] = mapped_column(Integer)
    new_jobs: Mapped[int | None] = mapped_column(Integer)
    registered_capital_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    registered_capital_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    implemented_capital_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    implemented_capital_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    source: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_enterprise_figures_year"),
        CheckConstraint(
            "(period_kind = 'year' AND period = 0) OR (period_kind = 'quarter' AND period BETWEEN 1 AND 4) "
            "OR (period_kind = 'month' AND period BETWEEN 1 AND 12)",
            name="ck_enterprise_figures_period",
        ),
        CheckConstraint("basis IN ('estimate', 'final')", name="ck_enterprise_figures_basis"),
        _not_negative("enterprise_figures", FIGURE_MEASURES + FIGURE_CAPITAL),
        UniqueConstraint("project_id", "year", "period_kind", "period", "basis", name="uq_enterprise_figures_period"),
        Index("ix_enterprise_figures_year", "year", "project_id"),
    )


class EnterpriseTargets(Base):
    """A board's plan (kế hoạch / chỉ tiêu) for a province, zone or park in a year, for the same measures."""

    __tablename__ = "enterprise_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), nullable=False)
    scope_uid: Mapped[str] = mapped_column(String(64), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    revenue_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    exports_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    imports_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    budget_vnd: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    workers_domestic: Mapped[int | None] = mapped_column(Integer)
    workers_foreign: Mapped[int | None] = mapped_column(Integer)
    new_jobs: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_enterprise_targets_year"),
        CheckConstraint("scope IN ('province', 'zone', 'park')", name="ck_enterprise_targets_scope"),
        _not_negative("enterprise_targets", FIGURE_MEASURES),
        UniqueConstraint("scope", "scope_uid", "year", name="uq_enterprise_targets_scope_year"),
    )


# --- land clearance -------------------------------------------------------------------------------------

STAGE_ORDER_SQL = (
    "(notice_issued_on IS NULL OR inventoried_on IS NULL OR notice_issued_on <= inventoried_on) AND "
    "(inventoried_on IS NULL OR plan_approved_on IS NULL OR inventoried_on <= plan_approved_on) AND "
    "(plan_approved_on IS NULL OR compensation_paid_on IS NULL OR plan_approved_on <= compensation_paid_on) AND "
    "(compensation_paid_on IS NULL OR handed_over_on IS NULL OR compensation_paid_on <= handed_over_on)"
)
# A stage's date needs the date of the stage just before it (and so, in turn, of every earlier stage): one rule per
# stage, so that a refusal can say which stage lacks which date. Constraint name -> (stage, the stage before it).
STAGE_DATE_COLUMNS = {
    "notice_issued": "notice_issued_on",
    "inventoried": "inventoried_on",
    "plan_approved": "plan_approved_on",
    "compensation_paid": "compensation_paid_on",
    "handed_over": "handed_over_on",
}
STAGE_SEQUENCE_RULES = {
    f"ck_clearance_parcels_stage_sequence_{later}": (later, earlier) for earlier, later in pairwise(STAGE_DATE_COLUMNS)
}


def stage_sequence_sql(later: str, earlier: str) -> str:
    """One stage's rule: no date for it while the stage before it has none."""
    return f"{STAGE_DATE_COLUMNS[later]} IS NULL OR {STAGE_DATE_COLUMNS[earlier]} IS NOT NULL"


STAGE_SEQUENCE_SQL = " AND ".join(f"({stage_sequence_sql(*pair)})" for pair in STAGE_SEQUENCE_RULES.values())
STAGE_SQL = (
    "CASE WHEN handed_over_on IS NOT NULL THEN 'handed_over' "
    "WHEN compensation_paid_on IS NOT NULL THEN 'compensation_paid' "
    "WHEN plan_approved_on IS NOT NULL THEN 'plan_approved' "
    "WHEN inventoried_on IS NOT NULL THEN 'inventoried' "
    "WHEN notice_issued_on IS NOT NULL THEN 'notice_issued' ELSE 'not_started' END"
)


class ClearanceParcel(ProvenanceMixin, Base):
    """A cadastral parcel (thửa) to be cleared for a project, with the date each stage was reached."""

    __tablename__ = "clearance_parcels"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    parcel_no: Mapped[str] = mapped_column(String(16), nullable=False)
    map_sheet: Mapped[str] = mapped_column(String(16), nullable=False)
    commune_code: Mapped[str | None] = mapped_column(String(32))
    landuse_code: Mapped[str | None] = mapped_column(ForeignKey("landuse_codes.code"))
    owner_name: Mapped[str | None] = mapped_column(Text)
    households_affected: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    households_to_resettle: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    compensation_approved_vnd: Mapped[Decimal | None] = mapped_column(Numeric(18, 0))
    compensation_paid_vnd: Mapped[Decimal | None] = mapped_column(Numeric(18, 0))
    notice_issued_on: Mapped[date | None] = mapped_column(Date)
    inventoried_on: Mapped[date | None] = mapped_column(Date)
    plan_approved_on: Mapped[date | None] = mapped_column(Date)
    compensation_paid_on: Mapped[date | None] = mapped_column(Date)
    handed_over_on: Mapped[date | None] = mapped_column(Date)
    enforcement_on: Mapped[date | None] = mapped_column(Date)
    stage = mapped_column(String(24), Computed(STAGE_SQL, persisted=True))
    area_ha = area_ha_column()
    geom = geom_column("POLYGON")
    __table_args__ = (
        UniqueConstraint("project_id", "map_sheet", "parcel_no", name="uq_clearance_parcels_number"),
        CheckConstraint(STAGE_ORDER_SQL, name="ck_clearance_parcels_stage_order"),
        *(CheckConstraint(stage_sequence_sql(*pair), name=name) for name, pair in STAGE_SEQUENCE_RULES.items()),
        CheckConstraint(
            "households_to_resettle >= 0 AND households_affected >= households_to_resettle",
            name="ck_clearance_parcels_households",
        ),
        CheckConstraint(
            "compensation_paid_vnd IS NULL OR compensation_paid_vnd >= 0", name="ck_clearance_parcels_paid"
        ),
        Index("ix_clearance_parcels_project_stage", "project_id", "stage"),
        valid_geometry_check("clearance_parcels"),
    )


class ClearanceOverview(Base):
    """Clearance parcels merged per project, map sheet and stage, in Web Mercator: what low-zoom tiles draw.

    Rebuilt by triggers on clearance_parcels in the same transaction, so every parcel is always in one row.
    """

    __tablename__ = "clearance_overview"
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    map_sheet: Mapped[str] = mapped_column(String(16), nullable=False)
    stage: Mapped[str] = mapped_column(String(24), nullable=False)
    parcels: Mapped[int] = mapped_column(Integer, nullable=False)
    area_ha: Mapped[Decimal] = mapped_column(Numeric(14, 4), nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=3857, spatial_index=True), nullable=False)
    __table_args__ = (
        UniqueConstraint("project_id", "map_sheet", "stage", name="uq_clearance_overview_group"),
        {"info": {"derived": True}},  # follows clearance_parcels; never a reason to refuse an edit
    )


class ClearanceSite(Base):
    """One outline per clearance project with all its parcels counted: what province-scale tiles draw (0008)."""

    __tablename__ = "clearance_sites"
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, unique=True)
    parcels: Mapped[int] = mapped_column(Integer, nullable=False)
    handed_over: Mapped[int] = mapped_column(Integer, nullable=False)
    area_ha: Mapped[Decimal] = mapped_column(Numeric(14, 4), nullable=False)
    stage: Mapped[str] = mapped_column(String(24), nullable=False)  # the stage most of its parcels are at
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=3857, spatial_index=True), nullable=False)
    __table_args__ = ({"info": {"derived": True}},)


class LayerChange(Base):
    """Change counter per table, bumped by trigger, so caches and ETags follow the data."""

    __tablename__ = "layer_changes"
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BasemapFeature(Base):
    """The offline base map (land, borders, coastline, country label points), drawn under every map page.

    Reference geography from an open data set (data/basemap/), not the board's data: it is never edited, versioned
    or exported. Stored in Web Mercator cut into pieces of at most 256 vertices, so a tile reads only the pieces
    under it and transforms nothing.
    """

    __tablename__ = "basemap_features"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    country: Mapped[str | None] = mapped_column(String(2))
    countries: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(Text, nullable=False)
    geom = mapped_column(Geometry("GEOMETRY", srid=3857, spatial_index=True), nullable=False)
    __table_args__ = (
        enum_check("kind", BasemapKind, "ck_basemap_features_kind"),
        valid_geometry_check("basemap_features"),
    )


class DataLoad(Base):
    """Checksum of the last load of a named data set, so a repeated load changes nothing."""

    __tablename__ = "data_loads"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


# --- accounts and the audit log -------------------------------------------------------------------------


class User(Base):
    """A staff account: viewers read internal layers, editors edit, admins manage users."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # Province codes (admin_units.code) whose data this account may change; NULL means every province.
    provinces: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))
    __table_args__ = (
        enum_check("role", Role, "ck_users_role"),
        CheckConstraint("username ~ '^[A-Za-z0-9_.@-]{1,64}$'", name="ck_users_username"),
    )


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256: a login session (expires) or a personal API token (revocable)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A personal token bound to a decision edits versioned layers under it (clients such as QGIS send no header).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"))
    __table_args__ = (CheckConstraint("kind IN ('session', 'personal')", name="ck_api_tokens_kind"),)


class AuditEntry(Base):
    """One change to one feature: who, when, what before and after (attributes and GeoJSON), under which decision."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String(64))
    layer_id: Mapped[str] = mapped_column(String(64), nullable=False)
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    feature_id: Mapped[str] = mapped_column(String(64), nullable=False)
    feature_uid: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The ETag an update or delete was made from; NULL: sent without If-Match (last writer wins), or a create.
    if_match: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="ck_audit_log_action"),
        Index("ix_audit_log_feature", "layer_id", "feature_id"),
        Index("ix_audit_log_uid", "layer_id", "feature_uid"),
        Index("ix_audit_log_changed_at", "changed_at"),
    )


class AccountAuditEntry(Base):
    """One change to one account (created, disabled, role, provinces, password reset, token issued or revoked)."""

    __tablename__ = "account_audit"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    account_name: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    details: Mapped[dict | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_account_audit_changed_at", "changed_at"),)


# --- the board's yearly work programme (issue 16) ------------------------------------------------------------

DUE_PERIOD = r"^(20[0-9]{2}-Q[1-4]|20[0-9]{2}-(0[1-9]|1[0-2])(-[0-3][0-9])?|quarterly|monthly)$"


class ProgrammeUnit(Base):
    """A department of a board (phòng, văn phòng, trung tâm) that leads or coordinates programme tasks."""

    __tablename__ = "programme_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)


class Programme(Base):
    """A board's yearly work programme (chương trình công tác), adopted by a decision when there is one."""

    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title_vi: Mapped[str] = mapped_column(Text, nullable=False)
    title_en: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("province_code", "year", name="uq_programmes_province_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_programmes_year"),
    )


BOARD_LOGO_PATTERN = r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$"
BOARD_LOGO_MAX_CHARS = 200_000


class IssuingBoard(Base):
    """The board that issues a province's sheets and reports (its name as it is, contacts, logo), with its source."""

    __tablename__ = "issuing_boards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name_vi: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    logo: Mapped[str | None] = mapped_column(Text)  # a data: URI (PNG, JPEG or SVG), embedded as it is
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(
            f"logo IS NULL OR (logo ~ '{BOARD_LOGO_PATTERN}' AND length(logo) <= {BOARD_LOGO_MAX_CHARS})",
            name="ck_issuing_boards_logo",
        ),
        CheckConstraint(r"email IS NULL OR email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'", name="ck_issuing_boards_email"),
        CheckConstraint(r"website IS NULL OR website ~ '^https?://[^\s]+$'", name="ck_issuing_boards_website"),
    )


class ProgrammeTask(Base):
    """One task of a programme: what, which unit leads, when it is due, to whom it goes, and where it stands.

    `due_period` is 2023-Q1 (a quarter), 2023-03 (a month), 2023-03-15 (a date), or quarterly / monthly (a
    recurring report within the programme's year).
    """

    __tablename__ = "programme_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    title_vi: Mapped[str] = mapped_column(Text, nullable=False)
    title_en: Mapped[str | None] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("programme_units.id"), nullable=False, index=True)
    coordinating_units: Mapped[str | None] = mapped_column(Text)
    due_period: Mapped[str] = mapped_column(String(16), nullable=False)
    submitted_to: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default=text("'not_started'"))
    completed_on: Mapped[date | None] = mapped_column(Date)
    zone_uid: Mapped[str | None] = mapped_column(String(64))
    park_uid: Mapped[str | None] = mapped_column(String(64))
    project_uid: Mapped[str | None] = mapped_column(String(64))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        enum_check("status", TaskStatus, "ck_programme_tasks_status"),
        CheckConstraint(
            f"submitted_to IS NULL OR submitted_to IN {sql_in(SubmissionLevel)}", name="ck_programme_tasks_level"
        ),
        CheckConstraint(
            f"due_period ~ '{DUE_PERIOD}' AND (length(due_period) <> 10 OR due_period::date IS NOT NULL)",
            name="ck_programme_tasks_due",
        ),
        CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="ck_programme_tasks_done_date"),
    )


# --- land rent and compliance of projects (issue 16) ---------------------------------------------------------


class ProjectRentTerms(Base):
    """A project's land-rent terms for a period (rate, basis, next review), as set by its decision or contract."""

    __tablename__ = "project_rent_terms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 2), nullable=False)
    rate_basis: Mapped[str] = mapped_column(String(16), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default=text("'VND'"))
    period_from: Mapped[date] = mapped_column(Date, nullable=False)
    period_to: Mapped[date | None] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        enum_check("rate_basis", RentBasis, "ck_project_rent_terms_basis"),
        CheckConstraint("rate >= 0", name="ck_project_rent_terms_rate"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_project_rent_terms_currency"),
        CheckConstraint("period_to IS NULL OR period_to >= period_from", name="ck_project_rent_terms_period"),
    )


class ProjectRentAmount(Base):
    """A project's rent due and paid in a year; arrears are computed (due - paid), never stored."""

    __tablename__ = "project_rent_amounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    due_vnd: Mapped[Decimal] = mapped_column(Numeric(20, 0), nullable=False)
    paid_vnd: Mapped[Decimal] = mapped_column(Numeric(20, 0), nullable=False, server_default=text("0"))
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_project_rent_amounts_year"),
        CheckConstraint("due_vnd >= 0 AND paid_vnd >= 0", name="ck_project_rent_amounts_not_negative"),
        UniqueConstraint("project_id", "year", name="uq_project_rent_amounts_year"),
    )


class ProjectFinding(Base):
    """A compliance finding on a project (slow land use, off objective, violation): who found it, what was decided."""

    __tablename__ = "project_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    found_on: Mapped[date] = mapped_column(Date, nullable=False)
    found_by: Mapped[str] = mapped_column(Text, nullable=False)
    decided: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default=text("'open'"))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        enum_check("kind", FindingKind, "ck_project_findings_kind"),
        enum_check("status", FindingStatus, "ck_project_findings_status"),
        CheckConstraint("status <> 'resolved' OR resolved_on IS NOT NULL", name="ck_project_findings_resolved_date"),
        CheckConstraint("resolved_on IS NULL OR resolved_on >= found_on", name="ck_project_findings_dates"),
    )


class SearchAlias(Base):
    """Another spelling of a thing's name (a document's "Hoàn Sơn" for Hoành Sơn, a former name) that search finds."""

    __tablename__ = "search_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer: Mapped[str] = mapped_column(String(64), nullable=False)  # a layer id of layers.registry
    uid: Mapped[str] = mapped_column(String(64), nullable=False)  # the thing's stable uid in that layer
    alias: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("length(btrim(alias)) >= 2", name="ck_search_aliases_alias"),
        Index("uq_search_aliases_folded", "layer", "uid", text("za_fold(alias)"), unique=True),
    )
