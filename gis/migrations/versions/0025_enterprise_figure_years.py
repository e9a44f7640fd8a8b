"""each project's resolved yearly enterprise figures kept current on every write, so the dashboard's yearly roll-ups
read one row per project and year instead of resolving every monthly figure again (issue 18)

The rule that picks a period's figures (final before estimate; for a year the coarsest grain reported: its yearly
row, else its quarters, else its months; flows summed, stocks as at the latest period) moves from the app's SQL into
one database function, `za_resolved_figures`, used both by the app for quarters and by the triggers that keep
`enterprise_figure_years` (one row per project, year and audience: every figure for staff, public figures only for
anonymous readers) in line with `enterprise_figures` after each INSERT, UPDATE, DELETE or TRUNCATE, whatever the
write path. At 50,000 projects the country's trend resolved 266,000 rows per request (3-4.5 s).

Writers of figures take a SHARE ROW EXCLUSIVE lock on the derived table for the rest of their transaction, so two
transactions writing figures of the same project cannot leave a recomputation made before the other's commit
(figures are entered a few times a month; readers are never blocked).

Revision ID: 0025
Revises: 0024
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# Frozen copy of the measures as of this revision (gis.models.FIGURE_MEASURES, FIGURE_CAPITAL without imports_usd,
# which no report reads).
FLOWS = ("revenue_vnd", "exports_usd", "budget_vnd", "new_jobs")
STOCKS = (
    "workers_domestic",
    "workers_foreign",
    "registered_capital_vnd",
    "registered_capital_usd",
    "implemented_capital_vnd",
    "implemented_capital_usd",
)
TYPES = {
    "revenue_vnd": "numeric",
    "exports_usd": "numeric",
    "budget_vnd": "numeric",
    "new_jobs": "bigint",
    "workers_domestic": "integer",
    "workers_foreign": "integer",
    "registered_capital_vnd": "numeric",
    "registered_capital_usd": "numeric",
    "implemented_capital_vnd": "numeric",
    "implemented_capital_usd": "numeric",
}
MEASURES = FLOWS + STOCKS
COLUMNS = ",\n  ".join(f"{m} {TYPES[m]}" for m in MEASURES)
SUMS = ",\n         ".join(f"sum(c.{m})" for m in FLOWS)
# A stock is the latest period's value: max of [period, value] compares the period first, in one pass, no sort.
LATEST = ",\n         ".join(f"(max(ARRAY[c.period, c.{m}]) FILTER (WHERE c.{m} IS NOT NULL))[2]" for m in STOCKS)

RESOLVED = f"""
CREATE FUNCTION za_resolved_figures(
  p_projects integer[], p_first integer, p_last integer, p_quarter integer, p_public_only boolean
) RETURNS TABLE (
  project_id integer,
  year integer,
  {COLUMNS},
  estimated boolean,
  illustrative boolean
) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- A project's figures for each year from p_first to p_last (only the quarter p_quarter when given): per period the
  -- final figure before the estimate; per year the coarsest grain reported (year, else quarters, else months).
  WITH best AS (
    SELECT DISTINCT ON (f.project_id, f.year, f.period_kind, f.period) f.*
    FROM enterprise_figures f
    WHERE f.project_id = ANY(p_projects) AND f.year BETWEEN p_first AND p_last AND (f.public OR NOT p_public_only)
    ORDER BY f.project_id, f.year, f.period_kind, f.period, f.basis = 'final' DESC
  ),
  in_period AS (
    SELECT b.*, CASE b.period_kind WHEN 'year' THEN 3 WHEN 'quarter' THEN 2 ELSE 1 END AS grain
    FROM best b
    WHERE p_quarter IS NULL
       OR (b.period_kind = 'quarter' AND b.period = p_quarter)
       OR (b.period_kind = 'month' AND (b.period - 1) / 3 + 1 = p_quarter)
  ),
  chosen AS (
    SELECT * FROM (
      SELECT i.*, max(i.grain) OVER (PARTITION BY i.project_id, i.year) AS coarsest FROM in_period i
    ) ranked WHERE grain = coarsest
  )
  SELECT c.project_id, c.year,
         {SUMS},
         {LATEST},
         bool_or(c.basis = 'estimate'),
         bool_or(c.illustrative)
  FROM chosen c
  GROUP BY c.project_id, c.year
$$
"""

YEARS_TABLE = f"""
CREATE TABLE enterprise_figure_years (
  project_id integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  year integer NOT NULL,
  public_only boolean NOT NULL,
  {COLUMNS},
  estimated boolean NOT NULL,
  illustrative boolean NOT NULL,
  PRIMARY KEY (public_only, year, project_id)
);
CREATE INDEX ix_enterprise_figure_years_project ON enterprise_figure_years (project_id, year);
COMMENT ON TABLE enterprise_figure_years IS
  'Derived, never written by hand: za_resolved_figures per project and year, kept by triggers on enterprise_figures';
"""

REFRESH = """
CREATE FUNCTION za_refresh_figure_years(p_projects integer[], p_first integer, p_last integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_first IS NULL THEN RETURN; END IF;
  LOCK TABLE enterprise_figure_years IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM enterprise_figure_years WHERE project_id = ANY(p_projects) AND year BETWEEN p_first AND p_last;
  INSERT INTO enterprise_figure_years
  SELECT r.project_id, r.year, audience.public_only, {columns}, r.estimated, r.illustrative
  FROM (VALUES (false), (true)) audience (public_only),
       LATERAL za_resolved_figures(p_projects, p_first, p_last, NULL, audience.public_only) r;
END
$$;

CREATE FUNCTION za_figures_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN  -- DELETE, not TRUNCATE: a TRUNCATE … CASCADE of projects may be emptying it already
    DELETE FROM enterprise_figure_years;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM za_refresh_figure_years(ARRAY(SELECT DISTINCT project_id FROM written_rows),
                                    (SELECT min(year) FROM written_rows), (SELECT max(year) FROM written_rows));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM za_refresh_figure_years(ARRAY(SELECT DISTINCT project_id FROM former_rows),
                                    (SELECT min(year) FROM former_rows), (SELECT max(year) FROM former_rows));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER za_figures_inserted AFTER INSERT ON enterprise_figures
  REFERENCING NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION za_figures_written();
CREATE TRIGGER za_figures_updated AFTER UPDATE ON enterprise_figures
  REFERENCING OLD TABLE AS former_rows NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION za_figures_written();
CREATE TRIGGER za_figures_deleted AFTER DELETE ON enterprise_figures
  REFERENCING OLD TABLE AS former_rows FOR EACH STATEMENT EXECUTE FUNCTION za_figures_written();
CREATE TRIGGER za_figures_truncated AFTER TRUNCATE ON enterprise_figures
  FOR EACH STATEMENT EXECUTE FUNCTION za_figures_written();
""".replace("{columns}", ", ".join(f"r.{m}" for m in MEASURES))

BACKFILL = """
INSERT INTO enterprise_figure_years
SELECT r.project_id, r.year, audience.public_only, {columns}, r.estimated, r.illustrative
FROM (VALUES (false), (true)) audience (public_only),
     LATERAL za_resolved_figures(ARRAY(SELECT id FROM projects), 1990, 2100, NULL, audience.public_only) r
""".replace("{columns}", ", ".join(f"r.{m}" for m in MEASURES))


def upgrade() -> None:
    """The rule as one function, the derived table, its triggers, and the figures already there."""
    op.execute(RESOLVED)
    op.execute(YEARS_TABLE)
    op.execute(REFRESH)
    op.execute(BACKFILL)
    op.execute("ANALYZE enterprise_figure_years")


def downgrade() -> None:
    """Back to resolving in the app's SQL on every request."""
    for event in ("inserted", "updated", "deleted", "truncated"):
        op.execute(f"DROP TRIGGER za_figures_{event} ON enterprise_figures")
    op.execute("DROP FUNCTION za_figures_written()")
    op.execute("DROP FUNCTION za_refresh_figure_years(integer[], integer, integer)")
    op.execute("DROP TABLE enterprise_figure_years")
    op.execute("DROP FUNCTION za_resolved_figures(integer[], integer, integer, integer, boolean)")
