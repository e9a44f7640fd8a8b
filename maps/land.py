"""The land finder page and the bilingual A4 sheets: map extract as SVG, QR code of the link, PDF by WeasyPrint."""

import math
from datetime import date
from typing import Any

import segno
from markupsafe import Markup, escape

from gis.vocab import PlotStatus
from layers.extract import Extract
from layers.labels import PLACE_KINDS, day, enum_words, field_label, none_within
from layers.land import NODE_KINDS, FinderOptions
from layers.registry import PLOT_STATUS_LEGEND
from maps.pages import STATIC, render, script_json

# Sheet labels, Vietnamese first: each is printed as "Tiếng Việt / English".
LABELS: dict[str, tuple[str, str]] = {
    "plot_sheet": ("Phiếu thông tin lô đất", "Land plot information sheet"),
    "park_sheet": ("Phiếu thông tin khu công nghiệp", "Industrial park information sheet"),
    "area": ("Diện tích", "Area"),
    "status": ("Tình trạng", "Status"),
    "function": ("Chức năng sử dụng đất", "Planning land function"),
    "rent": ("Giá thuê đất (USD/m², cả thời hạn còn lại)", "Land rent (USD/m², remaining term)"),
    "clean": ("Đất sạch (đã bàn giao mặt bằng)", "Clean land (cleared and handed over)"),
    "clearance_state": field_label("clearance_state"),
    "lifecycle": field_label("lifecycle"),
    "yes": ("Có", "Yes"),
    "no": ("Chưa", "Not yet"),
    "park": ("Khu, cụm công nghiệp", "Industrial park / cluster"),
    "zone": ("Khu kinh tế", "Economic zone"),
    "province": ("Tỉnh, thành phố", "Province / city"),
    "distances": ("Khoảng cách (trên mặt ellipsoid)", "Distances (on the ellipsoid)"),
    "nearest": ("Gần nhất", "Nearest"),
    "km": ("km", "km"),
    "infrastructure": ("Hạ tầng khu công nghiệp", "Park infrastructure"),
    "power": ("Điện (kV)", "Power (kV)"),
    "water": ("Cấp nước (m³/ngày)", "Water supply (m³/day)"),
    "wastewater": ("Xử lý nước thải (m³/ngày)", "Wastewater treatment (m³/day)"),
    "factory_rent": ("Giá thuê nhà xưởng (USD/m²/tháng)", "Ready-built factory rent (USD/m²/month)"),
    "developer": ("Chủ đầu tư hạ tầng", "Infrastructure developer"),
    "term": ("Thời hạn hoạt động", "Operating term"),
    "contacts": ("Liên hệ", "Contacts"),
    "contact": ("Đầu mối liên hệ", "Contact"),
    "board": ("Cơ quan phát hành", "Issued by"),
    "address": ("Địa chỉ", "Address"),
    "phone": ("Điện thoại", "Phone"),
    "email": ("Thư điện tử", "E-mail"),
    "website": ("Trang thông tin", "Website"),
    "no_board": (
        "Chưa ghi nhận Ban Quản lý của tỉnh này",
        "No board is recorded for this province",
    ),
    "board_illustrative": (
        "Thông tin liên hệ của Ban mang tính minh họa.",
        "The board's contact details are illustrative.",
    ),
    "unknown": ("Chưa có thông tin", "Not on record"),
    "map": ("Bản đồ vị trí", "Location map"),
    "figures": ("Số liệu tính từ các lô đất", "Figures computed from the plots"),
    "park_area": ("Diện tích khu (theo ranh giới)", "Park area (from its boundary)"),
    "official_area": ("Diện tích theo quyết định", "Area in the decision"),
    "leasable": ("Đất công nghiệp cho thuê", "Industrial (leasable) land"),
    **enum_words(PlotStatus),  # leased, reserved, available, not_cleared
    "occupancy": ("Tỷ lệ lấp đầy (đã thuê ÷ đất cho thuê)", "Occupancy (leased ÷ leasable)"),
    "rent_range": ("Giá thuê các lô còn trống (USD/m²)", "Rent of available plots (USD/m²)"),
    "projects": ("Số dự án", "Projects"),
    "investors": ("Số nhà đầu tư", "Investors"),
    "workers": ("Số lao động", "Workers"),
    "available_plots": ("Các lô còn trống", "Available plots"),
    "code": ("Lô", "Plot"),
    "download_pdf": ("Tải PDF", "Download PDF"),
    "print": ("In", "Print"),
    "scan": ("Quét mã để mở trang này", "Scan to open this page"),
    "illustrative": (
        "Hình học mang tính minh họa, không dùng để đo đạc.",
        "Geometry is illustrative, not for surveying.",
    ),
    "park_illustrative": (
        "Ranh giới khu và các lô đất mang tính minh họa, không dùng để đo đạc.",
        "The park's outline and plots are illustrative, not for surveying.",
    ),
    "generated": ("Lập ngày", "Generated on"),
    "finder": ("Tìm đất", "Land finder"),
    "none": ("—", "—"),
}
STATUS_LABELS = enum_words(PlotStatus)
STATUS_COLOURS = {value: colour for value, colour, _vi, _en in PLOT_STATUS_LEGEND.classes}
KIND_LABELS = {key: PLACE_KINDS[key] for key in NODE_KINDS}


def bi(key: str) -> Markup:
    """A label printed in both languages, Vietnamese first."""
    vi, en = LABELS[key]
    if vi == en:
        return escape(vi)
    return Markup('<span class="vi">{}</span> <span class="en">/ {}</span>').format(vi, en)


def bi_pair(pair: tuple[str, str] | None) -> Markup:
    """A (vi, en) pair printed in both languages."""
    if pair is None:
        return Markup("—")
    vi, en = pair
    if not en or vi == en:
        return escape(vi)
    return Markup('<span class="vi">{}</span> <span class="en">/ {}</span>').format(vi, en)


def number(value: float | int | None, digits: int = 2) -> str:
    """A number with thin-space thousands and a decimal point (unambiguous in both languages), or a dash."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f")


def qr_svg(url: str) -> Markup:
    """The sheet's link as an inline SVG QR code (segno; error correction M survives a printed crease)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, border=2, title=url))


def nice_length(span: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) about a quarter of the frame's width."""
    target = span / 4
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def extract_svg(extract: Extract | None) -> Markup:
    """The map extract as SVG in UTM metres: parks, plots coloured by status, the focus plot, scale and north."""
    if extract is None:
        return Markup("")
    width = extract.maxx - extract.minx
    height = extract.maxy - extract.miny
    pad = max(width, height) * 0.06 + 20
    x0, y0 = extract.minx - pad, -extract.maxy - pad
    w, h = width + 2 * pad, height + 2 * pad
    stroke = max(w, h) / 500
    parts = [
        f'<svg class="extract" xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" '
        f'preserveAspectRatio="xMidYMid meet" role="img">',
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#f7f9fb"/>',
    ]
    plots = [s for s in extract.shapes if s.role == "plot"]
    for shape in extract.shapes:
        if shape.role == "park":
            parts.append(f'<path d="{shape.path}" fill="#efeaf7" stroke="#542788" stroke-width="{stroke * 2:.2f}"/>')
        else:
            colour = STATUS_COLOURS.get(shape.status or "", "#cccccc")
            edge = ("#e31a1c", stroke * 4) if shape.role == "focus" else ("#ffffff", stroke)
            parts.append(
                f'<path d="{shape.path}" fill="{colour}" fill-opacity="0.85" stroke="{edge[0]}" '
                f'stroke-width="{edge[1]:.2f}"/>'
            )
    font = max(w, h) / 50
    if len(plots) <= 120:
        for shape in extract.shapes:
            if shape.role in ("plot", "focus"):
                parts.append(
                    f'<text x="{shape.x:.1f}" y="{-shape.y:.1f}" font-size="{font:.1f}" '
                    f'text-anchor="middle" fill="#222">{escape(shape.label)}</text>'
                )
    for shape in extract.shapes:
        if shape.role == "focus":
            parts.append(
                f'<circle cx="{shape.x:.1f}" cy="{-shape.y:.1f}" r="{font * 0.9:.1f}" fill="none" '
                f'stroke="#e31a1c" stroke-width="{stroke * 3:.2f}"/>'
            )
    bar = nice_length(w)
    bx, by = x0 + pad * 0.5, y0 + h - pad * 0.4
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    parts += [
        f'<rect x="{bx:.1f}" y="{by - stroke * 3:.1f}" width="{bar:.1f}" height="{stroke * 3:.1f}" fill="#222"/>',
        f'<text x="{bx + bar / 2:.1f}" y="{by - stroke * 6:.1f}" font-size="{font:.1f}" text-anchor="middle">'
        f"{label}</text>",
        f'<text x="{x0 + w - pad * 0.5:.1f}" y="{y0 + pad * 0.9:.1f}" font-size="{font * 1.4:.1f}" '
        f'text-anchor="end" font-weight="bold">N ↑</text>',
        "</svg>",
    ]
    return Markup("".join(parts))


def board_logo(board: dict[str, Any] | None) -> Markup:
    """The board's logo as it is stored (a data: URI), or a neutral placeholder drawn here when it has none."""
    if board and board.get("logo"):
        return Markup('<img class="logo" src="{}" alt="{}">').format(board["logo"], board["name_vi"])
    return Markup(
        '<svg class="logo placeholder" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" role="img" '
        'aria-label="—"><circle cx="24" cy="24" r="22" fill="#eef1f4" stroke="#8a96a3" stroke-width="2"/>'
        '<path d="M14 30h20M16 30V20m8 10V20m8 10V20M12 20l12-7 12 7z" fill="none" stroke="#8a96a3" '
        'stroke-width="2" stroke-linejoin="round"/></svg>'
    )


def _context(kind: str, url: str, pdf: bool, board: dict[str, Any] | None) -> dict[str, Any]:
    """What every sheet template needs."""
    return {
        "board": board,
        "board_logo": board_logo(board),
        "day": day,
        "bi": bi,
        "bi_pair": bi_pair,
        "number": number,
        "kind_labels": KIND_LABELS,
        "none_within": none_within,
        "status_labels": STATUS_LABELS,
        "status_colours": STATUS_COLOURS,
        "qr": qr_svg(url),
        "url": url,
        "pdf": pdf,
        "today": day(date.today()),
        "sheet_kind": kind,
        "css": (STATIC / "land_sheet.css").read_text(encoding="utf-8") if pdf else "",
    }


def plot_sheet(
    plot: dict[str, Any],
    park: dict[str, Any] | None,
    extract: Extract | None,
    url: str,
    board: dict[str, Any] | None,
    province: tuple[str, str] | None = None,
    pdf: bool = False,
) -> str:
    """The bilingual A4 sheet of one plot (HTML; the PDF is made from the same page)."""
    title = f"{LABELS['code'][0]} {plot['code']}" + (f" – {park['name_vi']}" if park else "")
    return render(
        "land_plot_sheet.html",
        title=title,
        plot=plot,
        park=park,
        province=province,
        map_svg=extract_svg(extract),
        **_context("plot", url, pdf, board),
    )


def park_sheet(
    park: dict[str, Any],
    plots: list[dict[str, Any]],
    extract: Extract | None,
    url: str,
    board: dict[str, Any] | None,
    pdf: bool = False,
) -> str:
    """The bilingual A4 sheet of one park with its figures and available plots."""
    return render(
        "land_park_sheet.html",
        title=park["name_vi"],
        park=park,
        plots=plots,
        map_svg=extract_svg(extract),
        **_context("park", url, pdf, board),
    )


def sheet_pdf(html: str) -> bytes:
    """Print a sheet to PDF with WeasyPrint (DejaVu Sans carries every Vietnamese glyph)."""
    from weasyprint import HTML  # imported on first use: it loads Pango, which the API's other routes never need

    return HTML(string=html).write_pdf()


def finder_page(options: FinderOptions, bound_km: float) -> str:
    """The land finder: filters, result list and map kept in step, all state in the URL."""
    config = {
        "boundKm": f"{bound_km:g}",  # nearest places farther than this are none
        "provinces": options.provinces,
        "zones": options.zones,
        "parks": options.parks,
        "functions": options.functions,
        "nodes": options.nodes,
        "kinds": [{"key": k, "vi": vi, "en": en} for k, (vi, en) in KIND_LABELS.items()],
        "statusColours": STATUS_COLOURS,
    }
    return render("land_finder.html", title="Tìm đất / Land finder", config_json=script_json(config))
