"""Layer specs agree with the database, and internal fields stay internal."""

import pytest
from sqlalchemy import text

from gis.errors import NotFound
from layers.registry import LAYERS, get_layer, layers_visible_to
from layers.spec import Access

COLLECTION_IDS = {
    "economic_zones",
    "functional_areas",
    "industrial_parks",
    "land_plots",
    "border_gates",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "projects",
    "clearance_parcels",
    "decisions",
    "programme_tasks",
    "enterprise_figures",
    "enterprise_targets",
    "project_rent_terms",
    "project_rent_amounts",
    "project_findings",
    "issuing_boards",
}


def test_catalogue_has_the_stable_collection_ids():
    assert set(LAYERS) == COLLECTION_IDS


@pytest.mark.parametrize("layer_id", sorted(COLLECTION_IDS))
def test_every_field_named_in_a_spec_is_a_column_of_its_table(db_conn, layer_id):
    spec = get_layer(layer_id)
    columns = set(
        db_conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"), {"t": spec.table}
        ).scalars()
    )
    named = set(spec.public_fields + spec.internal_fields + spec.queryables + spec.tile_fields)
    named |= {spec.id_column} | ({spec.geometry_column} if spec.geometry_column else set())
    assert named - columns == set()


def test_spec_geometry_types_match_the_database(db_conn):
    stored = {r.f_table_name: r.type for r in db_conn.execute(text("SELECT f_table_name, type FROM geometry_columns"))}
    for spec in LAYERS.values():
        if spec.geometry_column:
            assert stored[spec.table] == spec.geometry_type.upper(), spec.id


def test_household_and_compensation_figures_are_internal():
    parcels = get_layer("clearance_parcels")
    assert parcels.access is Access.internal
    for field in (
        "owner_name",
        "households_affected",
        "households_to_resettle",
        "compensation_approved_vnd",
        "compensation_paid_vnd",
    ):
        assert field in parcels.internal_fields
        assert field not in parcels.fields_for(Access.public)
    for spec in LAYERS.values():
        assert not set(spec.public_fields) & set(spec.internal_fields), spec.id


def test_anonymous_readers_do_not_see_internal_layers():
    public_ids = {s.id for s in layers_visible_to(Access.public)}
    assert "clearance_parcels" not in public_ids
    assert "land_plots" in public_ids
    assert {s.id for s in layers_visible_to(Access.internal)} == COLLECTION_IDS


def test_unknown_layer_names_the_existing_ones():
    with pytest.raises(NotFound, match="economic_zones"):
        get_layer("parcels; DROP TABLE decisions")


def test_legends_are_bilingual_and_cover_the_vocabulary():
    from gis.vocab import ClearanceStage, FunctionalAreaType, PlotStatus

    covered = {
        "functional_areas": FunctionalAreaType,
        "land_plots": PlotStatus,
        "clearance_parcels": ClearanceStage,
    }
    for layer_id, vocab in covered.items():
        classes = get_layer(layer_id).legend.classes
        assert {c[0] for c in classes} == {v.value for v in vocab}
        assert all(c[2] and c[3] for c in classes)
