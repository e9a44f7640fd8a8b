"""The catalogue of layers the board publishes, looked up by stable id."""

from gis.errors import NotFound
from gis.vocab import ClearanceStage, FunctionalAreaType, PlotStatus, ProjectStatus, ZoneType
from layers.labels import legend_classes
from layers.spec import Access, LayerSpec, Legend

PROVENANCE = ("geometry_illustrative", "source", "notes")
VERSION = ("uid", "valid_from", "valid_to", "decision_id")

ZONE_TYPE_LEGEND = Legend(
    fill="#f4a582",
    stroke="#b2182b",
    by_field="zone_type",
    classes=legend_classes(ZoneType, {"coastal": "#92c5de", "border_gate": "#f4a582", "specialised": "#c2a5cf"}),
)
FUNCTIONAL_AREA_LEGEND = Legend(
    fill="#fddbc7",
    stroke="#8c510a",
    by_field="area_type",
    classes=legend_classes(
        FunctionalAreaType,
        {
            "non_tariff": "#fdb863",
            "bonded": "#e08214",
            "export_processing": "#b35806",
            "industrial": "#b2abd2",
            "logistics_port": "#8073ac",
            "gate_area": "#d6604d",
            "trade_services": "#f1a340",
            "tourism": "#5aae61",
            "urban": "#f7f7f7",
            "residential_resettlement": "#fee090",
            "administrative": "#d73027",
            "agro_forestry": "#a6d96a",
        },
    ),
)
PLOT_STATUS_LEGEND = Legend(
    fill="#a6dba0",
    stroke="#1b7837",
    by_field="status",
    classes=legend_classes(
        PlotStatus, {"available": "#1a9850", "reserved": "#fee08b", "leased": "#d73027", "not_cleared": "#969696"}
    ),
)
STAGE_LEGEND = Legend(
    fill="#cccccc",
    stroke="#555555",
    by_field="stage",
    classes=legend_classes(
        ClearanceStage,
        {
            "not_started": "#bdbdbd",
            "notice_issued": "#fee5d9",
            "inventoried": "#fcae91",
            "plan_approved": "#fb6a4a",
            "compensation_paid": "#de2d26",
            "handed_over": "#31a354",
        },
    ),
)
PROJECT_STATUS_LEGEND = Legend(
    fill="#6baed6",
    stroke="#08519c",
    by_field="status",
    classes=legend_classes(
        ProjectStatus,
        {
            "policy_approved": "#c6dbef",
            "irc_issued": "#6baed6",
            "under_construction": "#fd8d3c",
            "operating": "#31a354",
            "terminated": "#636363",
        },
    ),
)

# Below zoom CLEARANCE_DETAIL_ZOOM parcels are drawn merged per project, map sheet and stage (clearance_overview,
# rebuilt by triggers): every parcel is in a tile at every zoom, and a z6 tile stays small.
CLEARANCE_DETAIL_ZOOM = 15  # a rural parcel (20-40 m) is 2-4 px at zoom 14: individual shapes from 15
CLEARANCE_SITE_ZOOM = 8  # and below: one outline per project (clearance_sites), coloured by its commonest stage
CLEARANCE_SITES = LayerSpec(
    id="clearance_parcels",
    title_vi="Khu đất giải phóng mặt bằng (gộp theo dự án)",
    title_en="Land-clearance sites (parcels merged per project)",
    description_vi="Đường bao các thửa của một dự án, kèm số thửa, số thửa đã bàn giao và diện tích.",
    description_en="An outline of a project's parcels with its parcel count, parcels handed over and area.",
    table="clearance_sites",
    changes_table="clearance_parcels",
    theme="clearance",
    access=Access.internal,
    public_fields=("project_id", "stage", "parcels", "handed_over", "area_ha"),
    geometry_type="MultiPolygon",
    storage_srid=3857,
    editable=False,
    queryables=("project_id",),
    tile_fields=("project_id", "stage", "parcels", "handed_over", "area_ha"),
    max_zoom=CLEARANCE_SITE_ZOOM,
    legend=STAGE_LEGEND,
)
CLEARANCE_OVERVIEW = LayerSpec(
    id="clearance_parcels",
    title_vi="Thửa đất giải phóng mặt bằng (gộp theo dự án, tờ bản đồ và bước)",
    title_en="Land-clearance parcels (merged per project, map sheet and stage)",
    description_vi="Các thửa của một dự án trên cùng tờ bản đồ, cùng bước GPMB, gộp lại và đơn giản hoá cho "
    "mức phóng nhỏ.",
    description_en="A project's parcels on one map sheet at the same clearance stage, merged and simplified for small "
    "scales.",
    table="clearance_overview",
    changes_table="clearance_parcels",
    theme="clearance",
    access=Access.internal,
    public_fields=("project_id", "map_sheet", "stage", "parcels", "area_ha"),
    geometry_type="MultiPolygon",
    storage_srid=3857,
    editable=False,
    queryables=("project_id", "map_sheet", "stage"),
    tile_fields=("project_id", "map_sheet", "stage", "parcels", "area_ha"),  # no "id": not a parcel's id
    max_zoom=CLEARANCE_DETAIL_ZOOM - 1,
    legend=STAGE_LEGEND,
    overview=CLEARANCE_SITES,  # a filter on stage or map sheet is drawn from the groups at these zooms too
)

LAYERS: dict[str, LayerSpec] = {
    spec.id: spec
    for spec in [
        LayerSpec(
            id="economic_zones",
            title_vi="Khu kinh tế",
            title_en="Economic zones",
            description_vi="Ranh giới khu kinh tế và khu kinh tế cửa khẩu theo từng quyết định quy hoạch.",
            description_en="Economic-zone and border-gate economic-zone boundaries, one version per plan decision.",
            table="economic_zones",
            theme="planning",
            access=Access.public,
            public_fields=("name_vi", "name_en", "zone_type", "province_code", "official_area_ha", "area_ha")
            + VERSION
            + PROVENANCE,
            geometry_type="MultiPolygon",
            versioned=True,
            queryables=("name_vi", "name_en", "zone_type", "province_code", "uid", "area_ha"),
            tile_fields=("uid", "name_vi", "name_en", "zone_type"),
            legend=ZONE_TYPE_LEGEND,
        ),
        LayerSpec(
            id="functional_areas",
            title_vi="Khu chức năng",
            title_en="Functional areas",
            description_vi="Các khu chức năng trong khu kinh tế (phi thuế quan, công nghiệp, cửa khẩu, đô thị…).",
            description_en="Functional areas inside economic zones (non-tariff, industrial, gate area, urban…).",
            table="functional_areas",
            theme="planning",
            access=Access.public,
            public_fields=("name_vi", "name_en", "zone_uid", "area_type", "area_ha") + VERSION + PROVENANCE,
            geometry_type="MultiPolygon",
            versioned=True,
            queryables=("name_vi", "name_en", "zone_uid", "area_type", "uid", "area_ha"),
            tile_fields=("uid", "name_vi", "name_en", "area_type", "zone_uid"),
            legend=FUNCTIONAL_AREA_LEGEND,
        ),
        LayerSpec(
            id="industrial_parks",
            title_vi="Khu, cụm công nghiệp",
            title_en="Industrial parks and clusters",
            description_vi="Khu công nghiệp (KCN) và cụm công nghiệp (CCN): chủ đầu tư hạ tầng, thời hạn, giá thuê.",
            description_en="Industrial parks (KCN) and clusters (CCN): developer, term, rents, capacities.",
            table="industrial_parks",
            theme="investment",
            access=Access.public,
            public_fields=(
                "name_vi",
                "name_en",
                "kind",
                "park_type",
                "zone_uid",
                "province_code",
                "developer",
                "operating_from",
                "operating_to",
                "land_rent_usd_m2_min",
                "land_rent_usd_m2_max",
                "factory_rent_usd_m2_month",
                "power_kv",
                "water_m3_day",
                "wastewater_m3_day",
                "contact",
                "official_area_ha",
                "area_ha",
            )
            + VERSION
            + PROVENANCE,
            geometry_type="MultiPolygon",
            versioned=True,
            queryables=("name_vi", "name_en", "kind", "park_type", "zone_uid", "province_code", "uid"),
            tile_fields=("uid", "name_vi", "name_en", "kind"),
            legend=Legend(fill="#b2abd2", stroke="#542788"),
        ),
        LayerSpec(
            id="land_plots",
            title_vi="Lô đất",
            title_en="Land plots",
            description_vi="Lô đất cho thuê trong khu, cụm công nghiệp và khu chức năng, kèm tình trạng và giá thuê.",
            description_en="Leasable land plots in parks and functional areas, with status and land rent.",
            table="land_plots",
            theme="investment",
            access=Access.public,
            public_fields=(
                "code",
                "name_vi",
                "name_en",
                "park_uid",
                "zone_uid",
                "planning_function",
                "landuse_code",
                "status",
                "land_rent_usd_m2",
                "area_ha",
            )
            + VERSION
            + PROVENANCE,
            geometry_type="Polygon",
            versioned=True,
            queryables=(
                "code",
                "park_uid",
                "zone_uid",
                "planning_function",
                "landuse_code",
                "status",
                "land_rent_usd_m2",
                "area_ha",
                "uid",
            ),
            tile_fields=("uid", "code", "park_uid", "status", "planning_function", "area_ha"),
            min_zoom=10,
            legend=PLOT_STATUS_LEGEND,
        ),
        LayerSpec(
            id="border_gates",
            title_vi="Cửa khẩu",
            title_en="Border gates",
            description_vi="Cửa khẩu quốc tế, chính, phụ và lối mở, kèm cửa khẩu đối diện.",
            description_en="International, main and secondary border gates and crossings, with their counterparts.",
            table="border_gates",
            theme="transport",
            access=Access.public,
            public_fields=(
                "uid",
                "name_vi",
                "name_en",
                "gate_class",
                "mode",
                "country",
                "counterpart_uid",
                "counterpart_name",
                "counterpart_country",
                "province_code",
                "zone_uid",
                "opened_on",
            )
            + PROVENANCE,
            geometry_type="Point",
            queryables=(
                "uid",
                "name_vi",
                "name_en",
                "gate_class",
                "mode",
                "country",
                "counterpart_country",
                "province_code",
                "zone_uid",
                "opened_on",
            ),
            tile_fields=("uid", "name_vi", "name_en", "gate_class"),
            legend=Legend(fill="#e41a1c", stroke="#67000d"),
        ),
        LayerSpec(
            id="logistics_centres",
            title_vi="Trung tâm logistics",
            title_en="Logistics centres",
            description_vi="Trung tâm logistics theo quy hoạch hoặc đang hoạt động.",
            description_en="Planned and operating logistics centres.",
            table="logistics_centres",
            theme="transport",
            access=Access.public,
            public_fields=("uid", "name_vi", "name_en", "status", "province_code", "operator", "planned_area_ha")
            + PROVENANCE,
            geometry_type="Point",
            queryables=("uid", "name_vi", "name_en", "status", "province_code"),
            tile_fields=("uid", "name_vi", "name_en", "status"),
            legend=Legend(fill="#ff7f00", stroke="#7f3f00"),
        ),
        LayerSpec(
            id="transport_nodes",
            title_vi="Cảng, sân bay, nút giao",
            title_en="Ports, airports and junctions",
            description_vi="Cảng biển, cảng sông, sân bay và nút giao cao tốc dùng để tính khoảng cách.",
            description_en="Seaports, river ports, airports and expressway junctions used for distances.",
            table="transport_nodes",
            theme="transport",
            access=Access.public,
            public_fields=("uid", "name_vi", "name_en", "kind", "status", "province_code", "capacity_note")
            + PROVENANCE,
            geometry_type="Point",
            queryables=("uid", "name_vi", "name_en", "kind", "status", "province_code"),
            tile_fields=("uid", "name_vi", "name_en", "kind"),
            legend=Legend(fill="#377eb8", stroke="#0b2f52"),
        ),
        LayerSpec(
            id="transport_lines",
            title_vi="Đường giao thông, kênh",
            title_en="Roads and canals",
            description_vi="Quốc lộ, đường tỉnh, cao tốc và kênh.",
            description_en="National and provincial roads, expressways and canals.",
            table="transport_lines",
            theme="transport",
            access=Access.public,
            public_fields=("uid", "name_vi", "name_en", "kind", "ref", "province_code", "length_km") + PROVENANCE,
            geometry_type="MultiLineString",
            queryables=("uid", "name_vi", "name_en", "kind", "ref", "province_code"),
            tile_fields=("uid", "name_vi", "kind", "ref"),
            legend=Legend(fill="#999999", stroke="#4d4d4d"),
        ),
        LayerSpec(
            id="projects",
            title_vi="Dự án đầu tư",
            title_en="Investment projects",
            description_vi="Dự án đầu tư: nhà đầu tư, ngành, vốn đăng ký, tình trạng.",
            description_en="Investment projects: investor, sector, registered capital, status.",
            table="projects",
            theme="investment",
            access=Access.public,
            public_fields=(
                "uid",
                "name_vi",
                "name_en",
                "investor",
                "investor_country",
                "sector",
                "capital_vnd",
                "capital_usd",
                "status",
                "province_code",
                "zone_uid",
                "park_uid",
                "site_area_ha",
            )
            + PROVENANCE,
            internal_fields=("policy_decision_id",),
            geometry_type="Point",
            queryables=(
                "uid",
                "name_vi",
                "name_en",
                "investor",
                "sector",
                "status",
                "province_code",
                "zone_uid",
                "park_uid",
            ),
            tile_fields=("uid", "name_vi", "name_en", "status"),
            legend=PROJECT_STATUS_LEGEND,
        ),
        LayerSpec(
            id="clearance_parcels",
            title_vi="Thửa đất giải phóng mặt bằng",
            title_en="Land-clearance parcels",
            description_vi="Thửa đất bồi thường, hỗ trợ, tái định cư theo dự án, kèm ngày đạt từng bước.",
            description_en="Parcels under compensation, support and resettlement per project, with stage dates.",
            table="clearance_parcels",
            theme="clearance",
            access=Access.internal,
            public_fields=("project_id", "parcel_no", "map_sheet", "commune_code", "landuse_code", "stage", "area_ha")
            + PROVENANCE,
            internal_fields=(
                "owner_name",
                "households_affected",
                "households_to_resettle",
                "compensation_approved_vnd",
                "compensation_paid_vnd",
                "notice_issued_on",
                "inventoried_on",
                "plan_approved_on",
                "compensation_paid_on",
                "handed_over_on",
                "enforcement_on",
            ),
            geometry_type="Polygon",
            queryables=("project_id", "parcel_no", "map_sheet", "commune_code", "landuse_code", "stage"),
            tile_fields=("id", "project_id", "parcel_no", "stage"),
            legend=STAGE_LEGEND,
            overview=CLEARANCE_OVERVIEW,
        ),
        LayerSpec(
            id="decisions",
            title_vi="Quyết định",
            title_en="Decisions",
            description_vi="Văn bản pháp lý phê duyệt hoặc điều chỉnh quy hoạch, khu kinh tế, dự án.",
            description_en="Legal decisions approving or revising plans, zones and projects.",
            table="decisions",
            theme="planning",
            access=Access.public,
            public_fields=(
                "number",
                "title_vi",
                "title_en",
                "date_signed",
                "date_effective",
                "authority",
                "authority_name_vi",
                "kind",
                "plan_level",
                "horizon_year",
                "vision_year",
                "zone_uid",
                "supersedes_id",
                "illustrative",
                "source",
                "notes",
                "document_filename",
                "document_size",
                "document_sha256",
            ),
            internal_fields=("public",),
            geometry_column=None,
            queryables=("number", "kind", "authority", "plan_level", "zone_uid", "date_signed", "date_effective"),
            public_rows="public",
        ),
    ]
}


def get_layer(layer_id: str) -> LayerSpec:
    """Return the spec of a layer, or NotFound naming the layers that exist."""
    try:
        return LAYERS[layer_id]
    except KeyError:
        raise NotFound(f"no layer '{layer_id}'; layers are: {', '.join(LAYERS)}") from None


def layers_visible_to(access: Access) -> list[LayerSpec]:
    """Layers a reader with this access level may list."""
    return [spec for spec in LAYERS.values() if spec.visible_to(access)]
