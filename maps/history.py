"""What the item page's "Lịch sử / History" section needs to speak in words: field and value labels (staff only).

The history itself is fetched by the page from `/collections/{id}/items/{fid}/history`; only these labels (a few
kilobytes) are embedded, so no raw field names or vocabulary codes are shown.
"""

from layers.decisions import VOCABULARIES
from layers.registry import LAYERS
from maps.layer_config import FIELD_LABELS

MORE_FIELD_LABELS = {
    "uid": ("Mã định danh", "Identifier"),
    "name_vi": ("Tên", "Name"),
    "name_en": ("Tên tiếng Anh", "English name"),
    "park_uid": ("Khu công nghiệp", "Industrial park"),
    "project_id": ("Dự án", "Project"),
    "valid_to": ("Hiệu lực đến", "Valid to"),
    "decision_id": ("Quyết định", "Decision"),
    "notes": ("Ghi chú", "Notes"),
    "source": ("Nguồn", "Source"),
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
    "public": ("Công khai", "Public"),
    "document_filename": ("Văn bản ký (PDF)", "Signed document (PDF)"),
    "document_size": ("Dung lượng văn bản (byte)", "Document size (bytes)"),
    "document_sha256": ("Mã băm văn bản", "Document hash"),
    "owner_name": ("Chủ sử dụng đất", "Land user"),
    "commune_code": ("Xã", "Commune"),
    "notice_issued_on": ("Ngày thông báo thu hồi", "Notice issued"),
    "inventoried_on": ("Ngày kiểm đếm", "Inventoried"),
    "plan_approved_on": ("Ngày duyệt phương án", "Plan approved"),
    "compensation_paid_on": ("Ngày chi trả", "Compensation paid"),
    "handed_over_on": ("Ngày bàn giao", "Handed over"),
    "enforcement_on": ("Ngày cưỡng chế", "Enforcement"),
}
ACTION_LABELS = {
    "create": ("Tạo mới", "Created"),
    "update": ("Sửa", "Changed"),
    "delete": ("Xoá / đóng phiên bản", "Deleted / version closed"),
}


def _legend_values(field: str) -> dict[str, tuple[str, str]]:
    """Value labels a layer's legend gives for a field (functional-area types, stages, project statuses…)."""
    found: dict[str, tuple[str, str]] = {}
    for spec in LAYERS.values():
        if spec.legend.by_field == field:
            found.update({value: (vi, en) for value, _colour, vi, en in spec.legend.classes})
    return found


def history_labels() -> dict:
    """Field, value and action labels as {"vi", "en"} pairs for the history script."""
    fields = {**MORE_FIELD_LABELS, **FIELD_LABELS}
    values: dict[str, dict[str, tuple[str, str]]] = {name: dict(labels) for name, labels in VOCABULARIES.items()}
    for spec in LAYERS.values():
        if spec.legend.by_field:
            values.setdefault(spec.legend.by_field, {}).update(_legend_values(spec.legend.by_field))

    def pairs(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
        return {key: {"vi": vi, "en": en} for key, (vi, en) in table.items()}

    return {
        "fields": pairs(fields),
        "values": {name: pairs(table) for name, table in values.items()},
        "actions": pairs(ACTION_LABELS),
    }
