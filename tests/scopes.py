"""Province-scoped test accounts and the demo features whose provinces are known by hand, for the scope tests.

Use in a test module:  from tests import scopes; scoped = scopes.scoped  (pytest finds fixtures by attribute).
"""

import json
import uuid

import pytest
from sqlalchemy import Engine, text

from gis.accounts import set_provinces
from tests.accounts import bearer, make_user

# Every editable layer: a demo feature and its province, read by hand from data/demo (the decision's is None:
# decisions are shared by every province). HAU_GIANG was merged into CAN_THO in 2025.
KNOWN: dict[str, tuple[str, str | None]] = {
    "economic_zones": ("KKT-VA", "HA_TINH"),
    "functional_areas": ("KKTCK-AG-TB-LOG", "AN_GIANG"),  # through its zone KKTCK-AG
    "industrial_parks": ("KCN-VA1", "HA_TINH"),
    "land_plots": ("KCN-VA1-CN1", "HA_TINH"),  # through its park KCN-VA1 (and zone KKT-VA)
    "border_gates": ("CK-CAU-TREO", "HA_TINH"),
    "logistics_centres": ("LC-HG-MEKONG", "CAN_THO"),  # recorded as HAU_GIANG
    "transport_nodes": ("TN-CANG-VUNG-ANG", "HA_TINH"),
    "transport_lines": ("TL-QL91", "AN_GIANG"),
    "projects": ("PRJ-VA2", "HA_TINH"),
    "clearance_parcels": ("PRJ-VHVA", "HA_TINH"),  # a parcel of project PRJ-VHVA, through the project
    "decisions": ("72/2006/QĐ-TTg", None),
    "programme_tasks": ("HT-2023", "HA_TINH"),  # the first task of Hà Tĩnh's 2023 programme, through the programme
    "enterprise_figures": ("PRJ-FHS", "HA_TINH"),  # a figure of project PRJ-FHS, through the project
    "enterprise_targets": ("KCN-GL", None),  # the board's plan, shared: a target of park KCN-GL
    "project_rent_terms": ("PRJ-VA2", "HA_TINH"),  # rent terms of project PRJ-VA2, through the project
    "project_rent_amounts": ("PRJ-VA2", "HA_TINH"),  # a year's rent of PRJ-VA2, through the project
    "project_findings": ("PRJ-VA2", "HA_TINH"),  # a finding on PRJ-VA2, through the project
    "issuing_boards": ("HA_TINH", "HA_TINH"),  # the Hà Tĩnh board, keyed by its own province code
}
PROVINCES = ("HA_TINH", "AN_GIANG", "CAN_THO", "NINH_BINH")  # NINH_BINH holds none of the features above
GEOJSON = {"Content-Type": "application/geo+json"}


def feature_id(engine: Engine, layer: str) -> int:
    """The id of the current row of the layer's known feature."""
    ref = KNOWN[layer][0]
    queries = {
        "clearance_parcels": "SELECT min(c.id) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = :ref",
        "decisions": "SELECT id FROM decisions WHERE number = :ref",
        "programme_tasks": "SELECT min(t.id) FROM programme_tasks t JOIN programmes p ON p.id = t.programme_id "
        "WHERE p.code = :ref",
        "enterprise_figures": "SELECT min(f.id) FROM enterprise_figures f JOIN projects p ON p.id = f.project_id "
        "WHERE p.uid = :ref",
        "enterprise_targets": "SELECT min(id) FROM enterprise_targets WHERE scope_uid = :ref",
        **{
            layer: f"SELECT min(r.id) FROM {layer} r JOIN projects p ON p.id = r.project_id WHERE p.uid = :ref"
            for layer in ("project_rent_terms", "project_rent_amounts", "project_findings")
        },
        "land_plots": "SELECT id FROM land_plots WHERE uid = :ref AND valid_to IS NULL",
        "issuing_boards": "SELECT id FROM issuing_boards WHERE province_code = :ref",
    }
    versioned = "AND valid_to IS NULL" if layer in ("economic_zones", "functional_areas", "industrial_parks") else ""
    query = queries.get(layer, f"SELECT min(id) FROM {layer} WHERE uid = :ref {versioned}")
    with engine.connect() as conn:
        found = conn.execute(text(query), {"ref": ref}).scalar_one()
    assert found is not None, layer
    return found


def scoped_account(engine: Engine, name: str, role: str, provinces: list[str]) -> dict[str, str]:
    """A new account limited to provinces, and the header that signs in as it."""
    user = make_user(engine, name, role)
    with engine.begin() as conn:
        user, _ = set_provinces(conn, name, provinces)
    return bearer(engine, user)


@pytest.fixture(scope="module")
def scoped(engine: Engine) -> dict[tuple[str, str], dict[str, str]]:
    """(role, province) -> headers, for editors and admins scoped to each province of PROVINCES."""
    run = uuid.uuid4().hex[:6]  # each module that uses the fixture makes its own accounts
    return {
        (role, code): scoped_account(engine, f"scope_{role}_{code.lower()}_{run}", role, [code])
        for role in ("editor", "admin")
        for code in PROVINCES
    }


def audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()


def import_document(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
