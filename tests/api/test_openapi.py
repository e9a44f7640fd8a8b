"""The OpenAPI document declares every query parameter, and an OGC validator (ogcapi-registry) accepts it."""

from ogcapi_registry import validate_ogc_api

ITEMS = "/collections/{collection_id}/items"


def test_the_ogc_validator_reports_no_errors(client):
    document = client.get("/openapi.json").json()
    conformance = client.get("/conformance").json()["conformsTo"]
    result = validate_ogc_api(document, conformance)
    assert result.errors == (), result.errors
    assert result.is_valid


def test_items_declares_the_ogc_parameters_with_types_and_descriptions(client):
    operation = client.get("/openapi.json").json()["paths"][ITEMS]["get"]
    declared = {p["name"]: p for p in operation["parameters"]}
    names = "bbox bbox-crs datetime limit offset properties sortby filter filter-lang filter-crs crs f"
    assert set(names.split()) <= set(declared)
    limit = declared["limit"]["schema"]
    assert (limit["type"], limit["minimum"], limit["maximum"]) == ("integer", 1, 10_000)
    assert declared["filter-lang"]["schema"]["enum"] == ["cql2-text", "cql2-json"]
    assert all(p.get("description") for p in operation["parameters"] if p["in"] == "query")
    free_form = declared["queryables"]  # status=available and other property equalities stay allowed
    assert free_form["style"] == "form" and free_form["explode"] is True


def test_every_query_parameter_the_land_finder_reads_is_declared(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/land/available"]["get"]
    declared = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    kinds = ("border_gate", "seaport", "river_port", "airport", "logistics_centre", "expressway_junction")
    expected = {"uid", "province", "zone", "park", "function", "min_area_ha", "max_area_ha", "max_rent", "clean"}
    expected |= {"sort", "limit", "offset", "f"} | {f"max_km_{k}" for k in kinds} | {f"name_{k}" for k in kinds}
    assert declared == expected
    unknown = client.get("/api/land/available", params={"colour": "red"})
    assert unknown.status_code == 400 and "unknown parameter colour" in unknown.json()["description"]
