"""The one source of words for fields and codes, so pages, sheets and previews never show a raw code.

`field_label(name)` gives a field's Vietnamese and English label; `value_labels(conn, spec, field)` the words of
every code of a field's closed vocabulary (CHECK … IN from `gis.vocab`, lookup tables' name_vi/name_en, decisions
by number, provinces) and of the usual country codes; `words_to_codes` reads those words back. Legends take their
words from here.
"""

import unicodedata
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from gis import models
from gis.constraints import enum_choices
from gis.vocab import (
    AdminLevel,
    Authority,
    BasemapKind,
    ClearanceStage,
    ClearanceState,
    DecisionKind,
    FacilityStatus,
    FigureBasis,
    FindingKind,
    FindingStatus,
    FunctionalAreaType,
    GateMode,
    HealthKind,
    Milestone,
    ParkKind,
    ParkType,
    PeriodKind,
    PlanLevel,
    PlotStatus,
    ProjectStatus,
    RentBasis,
    Role,
    SubmissionLevel,
    TargetScope,
    TaskStatus,
    TransportLineKind,
    TransportNodeKind,
    ZoneType,
)
from layers.features import table_of
from layers.spec import Access, LayerSpec

Words = tuple[str, str]

FIELD_LABELS: dict[str, Words] = {
    # identity and provenance
    "uid": ("Mã định danh", "Identifier (uid)"),
    "name_vi": ("Tên tiếng Việt", "Vietnamese name"),
    "name_en": ("Tên tiếng Anh", "English name"),
    "valid_from": ("Hiệu lực từ", "Valid from"),
    "valid_to": ("Hiệu lực đến", "Valid to"),
    "decision_id": ("Quyết định", "Decision"),
    "geometry_illustrative": ("Ranh giới minh họa", "Outline is illustrative"),
    "source": ("Nguồn", "Source"),
    "notes": ("Ghi chú", "Notes"),
    # places and areas
    "province_code": ("Tỉnh", "Province"),
    "commune_code": ("Xã, phường", "Commune"),
    "zone_uid": ("Khu kinh tế", "Economic zone"),
    "park_uid": ("Khu, cụm công nghiệp", "Industrial park"),
    "official_area_ha": ("Diện tích công bố (ha)", "Published area (ha)"),
    "area_ha": ("Diện tích (ha)", "Area (ha)"),
    "planned_area_ha": ("Diện tích quy hoạch (ha)", "Planned area (ha)"),
    "site_area_ha": ("Diện tích dự án (ha)", "Site area (ha)"),
    "zone_type": ("Loại khu kinh tế", "Zone type"),
    "area_type": ("Loại khu chức năng", "Functional-area type"),
    # parks and plots
    "kind": ("Loại", "Kind"),
    "park_type": ("Loại hình khu công nghiệp", "Park type"),
    "developer": ("Chủ đầu tư hạ tầng", "Infrastructure developer"),
    "operating_from": ("Thời hạn hoạt động từ", "Operating term from"),
    "operating_to": ("Thời hạn hoạt động đến", "Operating term to"),
    "land_rent_usd_m2_min": ("Giá thuê đất thấp nhất (USD/m²)", "Land rent from (USD/m²)"),
    "land_rent_usd_m2_max": ("Giá thuê đất cao nhất (USD/m²)", "Land rent to (USD/m²)"),
    "factory_rent_usd_m2_month": ("Giá thuê nhà xưởng (USD/m²/tháng)", "Factory rent (USD/m²/month)"),
    "power_kv": ("Cấp điện (kV)", "Power (kV)"),
    "water_m3_day": ("Cấp nước (m³/ngày)", "Water (m³/day)"),
    "wastewater_m3_day": ("Xử lý nước thải (m³/ngày)", "Wastewater (m³/day)"),
    "contact": ("Liên hệ", "Contact"),
    "code": ("Ký hiệu lô", "Lot code"),
    "status": ("Tình trạng", "Status"),
    "planning_function": ("Chức năng quy hoạch", "Planning function"),
    "landuse_code": ("Loại đất", "Land-use type"),
    "land_rent_usd_m2": ("Giá thuê (USD/m²)", "Rent (USD/m²)"),
    # transport and gates
    "gate_class": ("Loại cửa khẩu", "Gate class"),
    "mode": ("Loại hình", "Mode"),
    "country": ("Quốc gia", "Country"),
    "counterpart_uid": ("Mã cửa khẩu đối diện", "Counterpart gate id"),
    "counterpart_name": ("Cửa khẩu đối diện", "Counterpart gate"),
    "counterpart_country": ("Nước", "Country"),
    "opened_on": ("Mở từ", "Opened"),
    "operator": ("Đơn vị vận hành", "Operator"),
    "capacity_note": ("Năng lực", "Capacity"),
    "lifecycle": ("Giai đoạn", "Lifecycle"),
    "lifecycle_decision_id": ("Quyết định của giai đoạn", "Decision for this step"),
    "clearance_state": ("Giải phóng mặt bằng", "Land clearance"),
    "ref": ("Số hiệu", "Ref"),
    "length_km": ("Chiều dài (km)", "Length (km)"),
    # projects
    "investor": ("Nhà đầu tư", "Investor"),
    "investor_country": ("Quốc gia nhà đầu tư", "Investor's country"),
    "sector": ("Ngành", "Sector"),
    "capital_vnd": ("Vốn đăng ký (VND)", "Registered capital (VND)"),
    "capital_usd": ("Vốn đăng ký (USD)", "Registered capital (USD)"),
    "policy_decision_id": ("Quyết định chủ trương đầu tư", "Investment policy decision"),
    "project_id": ("Dự án", "Project"),
    "project_uid": ("Mã dự án", "Project uid"),
    "milestone": ("Mốc tiến độ", "Milestone"),
    # clearance
    "parcel_no": ("Số thửa", "Parcel no."),
    "parcels": ("Số thửa gộp", "Parcels merged"),
    "handed_over": ("Số thửa đã bàn giao", "Parcels handed over"),
    "map_sheet": ("Tờ bản đồ", "Map sheet"),
    "stage": ("Bước GPMB", "Clearance stage"),
    "owner_name": ("Người sử dụng đất", "Land user"),
    "households_affected": ("Số hộ bị ảnh hưởng", "Households affected"),
    "households_to_resettle": ("Số hộ phải tái định cư", "Households to resettle"),
    "compensation_approved_vnd": ("Bồi thường được duyệt (VND)", "Compensation approved (VND)"),
    "compensation_paid_vnd": ("Bồi thường đã chi trả (VND)", "Compensation paid (VND)"),
    "notice_issued_on": ("Ngày thông báo thu hồi đất", "Recovery notice issued on"),
    "inventoried_on": ("Ngày kiểm đếm", "Inventoried on"),
    "plan_approved_on": ("Ngày phê duyệt phương án", "Plan approved on"),
    "compensation_paid_on": ("Ngày chi trả", "Compensation paid on"),
    "handed_over_on": ("Ngày bàn giao mặt bằng", "Handed over on"),
    "enforcement_on": ("Ngày cưỡng chế", "Enforcement on"),
    # decisions
    "number": ("Số quyết định", "Number"),
    "title_vi": ("Trích yếu", "Title"),
    "title_en": ("Trích yếu tiếng Anh", "English title"),
    "date_signed": ("Ngày ký", "Date signed"),
    "date_effective": ("Ngày hiệu lực", "Date effective"),
    "authority": ("Cơ quan ban hành", "Authority"),
    "authority_name_vi": ("Tên cơ quan ban hành", "Authority name"),
    "plan_level": ("Cấp quy hoạch", "Plan level"),
    "horizon_year": ("Năm quy hoạch", "Horizon year"),
    "vision_year": ("Tầm nhìn", "Vision year"),
    "supersedes_id": ("Thay thế quyết định", "Supersedes"),
    "illustrative": ("Minh họa", "Illustrative"),
    "public": ("Đã công bố", "Published"),
    "document_filename": ("Văn bản ký (PDF)", "Signed document (PDF)"),
    "document_size": ("Dung lượng văn bản (byte)", "Document size (bytes)"),
    "document_sha256": ("Mã băm văn bản", "Document hash"),
    # issuing boards
    "address": ("Địa chỉ", "Address"),
    "phone": ("Điện thoại", "Phone"),
    "email": ("Thư điện tử", "E-mail"),
    "website": ("Trang thông tin", "Website"),
    "logo": ("Biểu trưng", "Logo"),
    # the programme's tasks
    "programme_id": ("Chương trình công tác", "Work programme"),
    "lead_unit_id": ("Đơn vị chủ trì", "Lead unit"),
    "coordinating_units": ("Đơn vị phối hợp", "Coordinating units"),
    "due_period": ("Thời gian hoàn thành", "Due"),
    "submitted_to": ("Cấp trình", "Submitted to"),
    "completed_on": ("Ngày hoàn thành", "Completed on"),
    # enterprise figures and targets
    "year": ("Năm", "Year"),
    "period_kind": ("Loại kỳ", "Period kind"),
    "period": ("Kỳ (quý, tháng)", "Period (quarter, month)"),
    "basis": ("Số ước / chính thức", "Estimate or final"),
    "revenue_vnd": ("Doanh thu (đồng)", "Revenue (VND)"),
    "exports_usd": ("Kim ngạch xuất khẩu (USD)", "Exports (USD)"),
    "imports_usd": ("Nhập khẩu (USD)", "Imports (USD)"),
    "budget_vnd": ("Nộp ngân sách (đồng)", "State budget (VND)"),
    "workers_domestic": ("Lao động trong nước (người)", "Domestic workers"),
    "workers_foreign": ("Lao động nước ngoài (người)", "Foreign workers"),
    "new_jobs": ("Việc làm mới (người)", "New jobs"),
    "registered_capital_vnd": ("Vốn đăng ký (đồng)", "Registered capital (VND)"),
    "registered_capital_usd": ("Vốn đăng ký (USD)", "Registered capital (USD)"),
    "implemented_capital_vnd": ("Vốn thực hiện (đồng)", "Implemented capital (VND)"),
    "implemented_capital_usd": ("Vốn thực hiện (USD)", "Implemented capital (USD)"),
    "scope": ("Phạm vi", "Scope"),
    "scope_uid": ("Mã tỉnh, khu", "Province, zone or park code"),
    # land rent and compliance of projects
    "rate": ("Đơn giá thuê đất", "Rent rate"),
    "rate_basis": ("Cách tính tiền thuê", "Rent basis"),
    "currency": ("Đơn vị tiền", "Currency"),
    "period_from": ("Thời hạn thuê từ", "Rent period from"),
    "period_to": ("Thời hạn thuê đến", "Rent period to"),
    "next_review_on": ("Ngày điều chỉnh đơn giá tiếp theo", "Next rent review"),
    "decision_number": ("Số quyết định, hợp đồng", "Decision or contract number"),
    "due_vnd": ("Số phải nộp (đồng)", "Due (VND)"),
    "paid_vnd": ("Số đã nộp (đồng)", "Paid (VND)"),
    "found_on": ("Ngày phát hiện", "Found on"),
    "found_by": ("Theo quyết định, kết luận thanh tra", "Found by (decision or inspection)"),
    "decided": ("Biện pháp xử lý", "What was decided"),
    "resolved_on": ("Ngày khắc phục", "Resolved on"),
}

# Words of every closed vocabulary in gis/vocab.py, in the enum's order (legends take theirs from here).
ENUM_WORDS: dict[type[StrEnum], dict[str, Words]] = {
    BasemapKind: {
        "land": ("Đất liền", "Land"),
        "border": ("Đường biên giới", "Land border"),
        "coastline": ("Đường bờ biển", "Coastline"),
        "label": ("Vị trí ghi tên nước", "Where a country's name is written"),
    },
    ZoneType: {
        "coastal": ("Khu kinh tế ven biển", "Coastal economic zone"),
        "border_gate": ("Khu kinh tế cửa khẩu", "Border-gate economic zone"),
        "specialised": ("Khu kinh tế chuyên biệt", "Specialised economic zone"),
    },
    FunctionalAreaType: {
        "non_tariff": ("Khu phi thuế quan", "Non-tariff area"),
        "bonded": ("Khu bảo thuế", "Bonded area"),
        "export_processing": ("Khu chế xuất", "Export processing"),
        "industrial": ("Khu công nghiệp", "Industrial"),
        "logistics_port": ("Khu logistics, cảng", "Logistics / port"),
        "gate_area": ("Khu cửa khẩu", "Border-gate area"),
        "trade_services": ("Thương mại – dịch vụ", "Trade & services"),
        "tourism": ("Du lịch", "Tourism"),
        "urban": ("Đô thị", "Urban"),
        "residential_resettlement": ("Dân cư, tái định cư", "Residential and resettlement"),
        "administrative": ("Hành chính", "Administrative"),
        "agro_forestry": ("Nông – lâm nghiệp", "Agro-forestry"),
    },
    ParkKind: {
        "industrial_park": ("Khu công nghiệp", "Industrial park"),
        "industrial_cluster": ("Cụm công nghiệp", "Industrial cluster"),
    },
    ParkType: {
        "regular": ("Khu công nghiệp thông thường", "Regular industrial park"),
        "export_processing": ("Khu chế xuất", "Export processing zone"),
        "supporting": ("Khu công nghiệp hỗ trợ", "Supporting-industry park"),
        "eco": ("Khu công nghiệp sinh thái", "Eco-industrial park"),
        "specialised": ("Khu công nghiệp chuyên ngành", "Specialised industrial park"),
        "high_tech": ("Khu công nghiệp công nghệ cao", "High-tech industrial park"),
    },
    PlotStatus: {
        "available": ("Còn trống", "Available"),
        "reserved": ("Đã giữ chỗ", "Reserved"),
        "leased": ("Đã cho thuê", "Leased"),
        "not_cleared": ("Chưa giải phóng mặt bằng", "Not yet cleared"),
    },
    GateMode: {
        "road": ("Đường bộ", "Road"),
        "river": ("Đường sông", "River"),
        "road_river": ("Đường bộ và đường sông", "Road and river"),
        "rail": ("Đường sắt", "Rail"),
    },
    FacilityStatus: {
        "proposed": ("Đề xuất", "Proposed"),
        "planned": ("Trong quy hoạch được duyệt", "In the approved plan"),
        "under_construction": ("Đang xây dựng", "Under construction"),
        "operating": ("Đang hoạt động", "Operating"),
    },
    TransportNodeKind: {
        "seaport": ("Cảng biển", "Seaport"),
        "river_port": ("Cảng sông", "River port"),
        "airport": ("Sân bay", "Airport"),
        "expressway_junction": ("Nút giao cao tốc", "Expressway junction"),
    },
    TransportLineKind: {
        "expressway": ("Đường cao tốc", "Expressway"),
        "national_road": ("Quốc lộ", "National road"),
        "provincial_road": ("Đường tỉnh", "Provincial road"),
        "canal": ("Kênh", "Canal"),
        "river": ("Sông", "River"),
        "railway": ("Đường sắt", "Railway"),
    },
    ProjectStatus: {
        "policy_approved": ("Đã chấp thuận chủ trương", "Investment policy approved"),
        "irc_issued": ("Đã cấp GCN đăng ký đầu tư", "IRC issued"),
        "under_construction": ("Đang xây dựng", "Under construction"),
        "operating": ("Đang hoạt động", "Operating"),
        "terminated": ("Chấm dứt", "Terminated"),
    },
    Milestone: {
        "policy_approved": ("Chấp thuận chủ trương đầu tư", "Investment policy approved"),
        "irc_issued": ("Cấp GCN đăng ký đầu tư", "IRC issued"),
        "land_handover": ("Bàn giao đất", "Land handed over"),
        "construction_start": ("Khởi công", "Construction started"),
        "operation_start": ("Đi vào hoạt động", "Operation started"),
    },
    ClearanceStage: {
        "not_started": ("Chưa triển khai", "Not started"),
        "notice_issued": ("Đã thông báo thu hồi đất", "Recovery notice issued"),
        "inventoried": ("Đã kiểm đếm", "Inventoried"),
        "plan_approved": ("Đã phê duyệt phương án", "Compensation plan approved"),
        "compensation_paid": ("Đã chi trả", "Compensation paid"),
        "handed_over": ("Đã bàn giao mặt bằng", "Handed over"),
    },
    ClearanceState: {
        "no_parcels": ("Chưa ghi nhận thửa GPMB nào", "No clearance parcels recorded"),
        "not_handed_over": ("Chưa bàn giao thửa nào", "No parcel handed over yet"),
        "partly_handed_over": ("Đã bàn giao một phần", "Partly handed over"),
        "handed_over": ("Đã bàn giao toàn bộ (đất sạch)", "All handed over (clean land)"),
    },
    HealthKind: {
        "plot_not_cleared_handed_over": (
            "Lô đất ghi “chưa giải phóng mặt bằng” nhưng mọi thửa đã bàn giao",
            "Plot marked “not cleared” although every parcel is handed over",
        ),
        "plot_offered_in_unbuilt_park": (
            "Lô đất chào thuê trong khu, cụm công nghiệp mới ở mức đề xuất, quy hoạch",
            "Plot offered in a park that is only proposed or planned",
        ),
        "handover_milestone_parcels_pending": (
            "Mốc “bàn giao đất” đã ghi nhưng còn thửa chưa bàn giao",
            "“Land handed over” milestone recorded while parcels are not handed over",
        ),
        "clearance_before_policy": (
            "Thửa GPMB có ngày trước khi chấp thuận chủ trương đầu tư",
            "Clearance parcels dated before the investment policy approval",
        ),
        "recovery_before_policy": (
            "Quyết định thu hồi đất, bồi thường ký trước khi chấp thuận chủ trương đầu tư",
            "Land-recovery or compensation decision signed before the investment policy approval",
        ),
        "project_status_milestones": (
            "Tình trạng dự án trái với các mốc tiến độ",
            "Project status contradicts its milestones",
        ),
        "milestones_out_of_order": (
            "Các mốc tiến độ của dự án sai thứ tự",
            "Project milestones out of order",
        ),
        "policy_milestone_date": (
            "Ngày mốc “chấp thuận chủ trương” khác ngày quyết định chủ trương",
            "“Policy approved” milestone differs from the policy decision's date",
        ),
        "project_active_in_unbuilt_park": (
            "Dự án đang xây dựng, hoạt động trong khu, cụm công nghiệp mới ở mức đề xuất, quy hoạch",
            "Project under construction or operating in a park that is only proposed or planned",
        ),
    },
    DecisionKind: {
        "approve_plan_task": ("Phê duyệt nhiệm vụ quy hoạch", "Approves a planning task"),
        "approve_plan": ("Phê duyệt quy hoạch", "Approves a plan"),
        "overall_revision": ("Điều chỉnh tổng thể quy hoạch", "Overall plan revision"),
        "local_revision": ("Điều chỉnh cục bộ quy hoạch", "Local plan revision"),
        "establish_zone": ("Thành lập khu kinh tế", "Establishes a zone"),
        "enlarge_zone": ("Mở rộng khu kinh tế", "Enlarges a zone"),
        "regulation": ("Quy chế, quy định", "Regulation"),
        "investment_policy": ("Chủ trương đầu tư", "Investment policy"),
        "land_recovery": ("Thu hồi đất", "Land recovery"),
        "compensation_plan": ("Phương án bồi thường", "Compensation plan"),
        "land_lease": ("Cho thuê đất", "Land lease"),
    },
    PlanLevel: {
        "general": ("Quy hoạch chung", "General plan"),
        "zoning": ("Quy hoạch phân khu", "Zoning plan"),
        "detailed": ("Quy hoạch chi tiết", "Detailed plan"),
    },
    Authority: {
        "prime_minister": ("Thủ tướng Chính phủ", "Prime Minister"),
        "government": ("Chính phủ", "Government"),
        "ministry": ("Bộ", "Ministry"),
        "provincial_council": ("HĐND tỉnh", "Provincial People's Council"),
        "provincial_committee": ("UBND tỉnh", "Provincial People's Committee"),
        "management_board": ("Ban Quản lý KKT", "Economic Zone Management Board"),
    },
    AdminLevel: {
        "province": ("Tỉnh, thành phố", "Province / city"),
        "district": ("Huyện (đã bỏ)", "District (abolished)"),
        "commune": ("Xã, phường", "Commune / ward"),
    },
    TaskStatus: {
        "not_started": ("Chưa thực hiện", "Not started"),
        "in_progress": ("Đang thực hiện", "In progress"),
        "done": ("Đã hoàn thành", "Done"),
        "late": ("Chậm tiến độ", "Late"),
        "cancelled": ("Không thực hiện", "Cancelled"),
    },
    SubmissionLevel: {
        "prime_minister": ("Thủ tướng Chính phủ", "Prime Minister"),
        "government": ("Chính phủ", "Government"),
        "ministry": ("Bộ, ngành Trung ương", "Ministry"),
        "provincial_committee": ("UBND tỉnh", "Provincial People's Committee"),
        "board_leadership": ("Lãnh đạo Ban", "Board leadership"),
    },
    Role: {
        "viewer": ("Xem", "Viewer"),
        "editor": ("Biên tập", "Editor"),
        "admin": ("Quản trị", "Admin"),
    },
    PeriodKind: {
        "year": ("Năm", "Year"),
        "quarter": ("Quý", "Quarter"),
        "month": ("Tháng", "Month"),
    },
    FigureBasis: {
        "estimate": ("Số ước", "Estimate"),
        "final": ("Số chính thức", "Final"),
    },
    TargetScope: {
        "province": ("Tỉnh", "Province"),
        "zone": ("Khu kinh tế", "Economic zone"),
        "park": ("Khu công nghiệp", "Industrial park"),
    },
    RentBasis: {
        "per_m2_year": ("Đồng/m²/năm", "Per m² per year"),
        "per_ha_year": ("Đồng/ha/năm", "Per hectare per year"),
        "lump_sum_term": ("Trả một lần cho cả thời gian thuê", "Lump sum for the whole term"),
        "per_year": ("Trả hằng năm (cả khu đất)", "Per year for the whole plot"),
    },
    FindingKind: {
        "slow_land_use": ("Chậm đưa đất vào sử dụng", "Slow to put land into use"),
        "off_objective": ("Sử dụng đất không đúng mục tiêu", "Off its approved objective"),
        "violation": ("Vi phạm", "In violation"),
        "rent_arrears": ("Nợ tiền thuê đất", "Rent in arrears"),
        "other": ("Khác", "Other"),
    },
    FindingStatus: {
        "open": ("Chưa khắc phục", "Open"),
        "resolved": ("Đã khắc phục", "Resolved"),
    },
}

# Country codes are open (any ISO 3166 alpha-2 code is stored), so these words only name the usual ones.
COUNTRIES: dict[str, Words] = {
    "VN": ("Việt Nam", "Viet Nam"),
    "CN": ("Trung Quốc", "China"),
    "LA": ("Lào", "Laos"),
    "KH": ("Campuchia", "Cambodia"),
    "TH": ("Thái Lan", "Thailand"),
    "MM": ("Mi-an-ma", "Myanmar"),
    "JP": ("Nhật Bản", "Japan"),
    "KR": ("Hàn Quốc", "Korea"),
    "TW": ("Đài Loan (Trung Quốc)", "Taiwan (China)"),
    "HK": ("Hồng Kông (Trung Quốc)", "Hong Kong (China)"),
    "SG": ("Singapore", "Singapore"),
    "MY": ("Malaysia", "Malaysia"),
    "US": ("Hoa Kỳ", "United States"),
    "DE": ("Đức", "Germany"),
    "FR": ("Pháp", "France"),
    "NL": ("Hà Lan", "Netherlands"),
    "GB": ("Vương quốc Anh", "United Kingdom"),
    "AU": ("Úc", "Australia"),
    "IN": ("Ấn Độ", "India"),
}
COUNTRY_FIELDS = frozenset({"country", "counterpart_country", "investor_country"})

# Kinds of place the land finder measures distances to (transport-node kinds plus gates and logistics centres).
PLACE_KINDS: dict[str, Words] = {
    "border_gate": ("Cửa khẩu", "Border gate"),
    **ENUM_WORDS[TransportNodeKind],
    "logistics_centre": ("Trung tâm logistics", "Logistics centre"),
}


def none_within(km: float) -> Words:
    """What a sheet or list says for a kind of place with none nearer than the distance bound."""
    bound = f"{km:g}"
    return (f"không có trong phạm vi {bound} km", f"none within {bound} km")


ACTION_LABELS: dict[str, Words] = {
    "create": ("Tạo mới", "Created"),
    "update": ("Sửa", "Changed"),
    "delete": ("Xoá / đóng phiên bản", "Deleted / version closed"),
}


# Columns of the board's periodic reports (delayed-projects review, weekly clearance report) that are no layer's
# field, or that mean something else there ("parcels" of a project, not the parcels merged into a tile feature).
REPORT_LABELS: dict[str, Words] = {
    "name_vi": ("Dự án", "Project"),
    "province_name_vi": ("Tỉnh", "Province"),
    "zone_name_vi": ("Khu kinh tế", "Economic zone"),
    "park_name_vi": ("Khu công nghiệp", "Industrial park"),
    "status": ("Tình trạng dự án", "Project status"),
    "committed_on": ("Ngày cam kết", "Committed on"),
    "actual_on": ("Ngày thực hiện", "Done on"),
    "days_late": ("Số ngày chậm", "Days late"),
    "milestones_late": ("Số mốc chậm", "Milestones late"),
    "late_milestones": ("Các mốc chậm", "Late milestones"),
    "rent_arrears_vnd": ("Nợ tiền thuê đất (đồng)", "Rent arrears (VND)"),
    "open_findings": ("Kết luận, vi phạm chưa khắc phục", "Open findings"),
    "parcels": ("Số thửa", "Parcels"),
    "total_ha": ("Tổng diện tích (ha)", "Total area (ha)"),
    "households_resettled": ("Số hộ đã tái định cư", "Households resettled"),
    "cleared_ha": ("Diện tích đã chi trả xong (ha)", "Area cleared, compensation paid (ha)"),
    "handed_over_ha": ("Diện tích đã bàn giao (ha)", "Area handed over (ha)"),
    "handed_over_pct": ("Tỷ lệ diện tích đã bàn giao (%)", "Share of area handed over (%)"),
    "approved_vnd": ("Kinh phí bồi thường được duyệt (đồng)", "Compensation approved (VND)"),
    "paid_vnd": ("Kinh phí đã chi trả (đồng)", "Compensation paid (VND)"),
    "enforcement_parcels": ("Số thửa cưỡng chế", "Parcels under enforcement"),
    **{
        f"parcels_at_{stage}": (f"Số thửa ở bước: {vi}", f"Parcels at: {en}")
        for stage, (vi, en) in ENUM_WORDS[ClearanceStage].items()
    },
    **{
        f"reached_{stage}_this_week": (f"Trong tuần – {vi}", f"This week – {en}")
        for stage, (vi, en) in ENUM_WORDS[ClearanceStage].items()
        if stage != "not_started"
    },
}


def report_label(name: str) -> Words:
    """A report column's Vietnamese and English header (a layer field's label when the column is one)."""
    return REPORT_LABELS.get(name) or field_label(name)


def field_label(name: str) -> Words:
    """A field's Vietnamese and English label (its name with spaces when none is recorded)."""
    return FIELD_LABELS.get(name) or (name.replace("_", " "),) * 2


def enum_words(vocabulary: type[StrEnum]) -> dict[str, Words]:
    """The words of an enum's codes, in the enum's order."""
    words = ENUM_WORDS[vocabulary]
    return {member.value: words[member.value] for member in vocabulary}


def legend_classes(vocabulary: type[StrEnum], colours: dict[str, str]) -> tuple[tuple[str, str, str, str], ...]:
    """A legend's (value, colour, vi, en) classes: colours from the layer, words from here."""
    words = enum_words(vocabulary)
    return tuple((value, colour, *words[value]) for value, colour in colours.items())


def _vocabulary_of(codes: list[str]) -> type[StrEnum]:
    """The enum whose codes a CHECK … IN constraint lists (every such constraint is rendered from one)."""
    for vocabulary in ENUM_WORDS:
        if {m.value for m in vocabulary} == set(codes):
            return vocabulary
    raise LookupError(f"no words for the vocabulary {codes}: add it to layers.labels.ENUM_WORDS")


# Closed vocabularies with no CHECK … IN to read them from: a column computed by the database (stage), or one
# checked together with another column (period_kind with period).
OTHER_VOCABULARIES: dict[str, dict[str, Words]] = {
    "stage": ENUM_WORDS[ClearanceStage],
    "period_kind": {"year": ("Cả năm", "Whole year"), "quarter": ("Quý", "Quarter"), "month": ("Tháng", "Month")},
}


def value_labels(conn: Connection, spec: LayerSpec, field: str) -> dict[Any, Words]:
    """Words for every code of the field's closed vocabulary (or the usual country codes); {} for open fields."""
    table = table_of(spec)
    codes = enum_choices(table).get(field)
    if codes:
        words = enum_words(_vocabulary_of(codes))
        return {code: words[code] for code in codes}
    if field in OTHER_VOCABULARIES and field in table.c:
        return dict(OTHER_VOCABULARIES[field])
    for fk in table.c[field].foreign_keys:
        lookup = fk.column.table
        if "name_vi" in lookup.c:
            rows = conn.execute(select(fk.column, lookup.c.name_vi, lookup.c.name_en).order_by(fk.column))
            return {code: (vi, en or vi) for code, vi, en in rows}
        if "number" in lookup.c:  # decisions: known by their number as written
            rows = conn.execute(select(fk.column, lookup.c.number).order_by(fk.column))
            return {code: (number, number) for code, number in rows}
    if field == "province_code":
        return _provinces(conn)
    if field == "commune_code":
        return _units(conn, AdminLevel.commune)
    if field in COUNTRY_FIELDS:
        return dict(COUNTRIES)
    return {}


def _provinces(conn: Connection) -> dict[Any, Words]:
    """Province codes (admin_units) by their latest names: a merged province keeps its last name."""
    return _units(conn, AdminLevel.province)


def _units(conn: Connection, level: AdminLevel) -> dict[Any, Words]:
    """Administrative-unit codes of one level by their latest names."""
    units = models.AdminUnit.__table__
    rows = conn.execute(
        select(units.c.code, units.c.name_vi, units.c.name_en)
        .where(units.c.level == level.value)
        .order_by(units.c.code, units.c.valid_from)
    )
    return {code: (vi, en or vi) for code, vi, en in rows}  # the latest name of a code is written last


def province_words(conn: Connection, code: str | None) -> Words | None:
    """A province code in words (its latest name), None when there is no code."""
    if not code:
        return None
    return _provinces(conn).get(code, (code.replace("_", " ").title(),) * 2)


def layer_value_labels(conn: Connection, spec: LayerSpec) -> dict[str, dict[Any, Words]]:
    """The words of every vocabulary field of a layer."""
    found = {name: value_labels(conn, spec, name) for name in spec.fields_for(Access.internal)}
    return {name: words for name, words in found.items() if words}


def shown(words: Words) -> str:
    """Both languages in one cell or line: "Đã cho thuê / Leased" (one when they are the same)."""
    vi, en = words
    return vi if not en or en == vi else f"{vi} / {en}"


def day(value: date | str | None) -> str:
    """A date as pages and sheets print it in Vietnamese, dd/mm/yyyy (a dash when there is none)."""
    if value is None or value == "":
        return "—"
    when = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{when:%d/%m/%Y}"


def as_pair(words: Words) -> dict[str, str]:
    """Words as the pages' scripts read them: {"vi": …, "en": …}."""
    return {"vi": words[0], "en": words[1]}


def _key(text: str) -> str:
    """Words compared as people type them: case, spacing and Unicode form do not matter."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def words_to_codes(labels: dict[Any, Words]) -> dict[str, Any]:
    """Every way a person writes a code (the code, either language, both) -> the code; ambiguous words left out."""
    found: dict[str, set] = {}
    for code, words in labels.items():
        for text in {str(code), words[0], words[1], shown(words)}:
            found.setdefault(_key(text), set()).add(code)
    return {text: next(iter(codes)) for text, codes in found.items() if len(codes) == 1}


def code_of(value: Any, reverse: dict[str, Any]) -> Any:
    """The code a cell's words name, or the value unchanged (checked later as any value is)."""
    if isinstance(value, str) and (code := reverse.get(_key(value))) is not None:
        return code
    return value
