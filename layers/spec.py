"""The typed description of a published layer: what it is, where it lives, who may see which fields."""

from dataclasses import dataclass, field
from enum import StrEnum


class Access(StrEnum):
    """Who may see a layer or a field."""

    public = "public"
    internal = "internal"


@dataclass(frozen=True)
class Legend:
    """How a layer is drawn and explained: one colour, or one colour per value of a field."""

    fill: str = "#3388ff"
    stroke: str = "#1f5fbf"
    by_field: str | None = None
    classes: tuple[tuple[str, str, str, str], ...] = ()  # (value, colour, label_vi, label_en)
    # How opaque a fill is: status layers are drawn near-opaque so nothing under them changes their colour.
    fill_opacity: float = 0.45
    # Containers (zones, parks) are drawn as outlines in their colour: the layers inside them keep their own colours.
    outline: bool = False


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the catalogue; every identifier used in SQL for this layer comes from here."""

    id: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    table: str
    theme: str
    access: Access
    public_fields: tuple[str, ...]
    internal_fields: tuple[str, ...] = ()
    geometry_column: str | None = "geom"
    geometry_type: str | None = None
    storage_srid: int = 4326
    id_column: str = "id"
    versioned: bool = False
    editable: bool = True
    queryables: tuple[str, ...] = ()
    tile_fields: tuple[str, ...] = ()
    min_zoom: int = 0
    max_zoom: int = 22
    tile_feature_cap: int = 50_000
    legend: Legend = field(default_factory=Legend)
    # Drawn instead of this layer at the overview's zooms (up to its max_zoom): features merged and simplified,
    # so low-zoom tiles show everything without cutting the layer at a feature cap.
    overview: "LayerSpec | None" = None
    changes_table: str | None = None  # whose change counter versions this layer, when not its own table
    # A boolean column: rows where it is false are staff-only (anonymous readers never see them anywhere).
    public_rows: str | None = None
    # The columns naming a row in a spreadsheet when the layer has no uid ("project_uid": the row's project by uid).
    # On a layer without geometry a sheet row whose key is new adds a row (a figure for a new period, say).
    sheet_key: tuple[str, ...] = ()
    # The field holding the lifecycle (proposed → planned → under construction → operating) of a planned thing:
    # maps draw proposed and planned features dashed and filter on it (maps/static/map_lifecycle.js).
    lifecycle_field: str | None = None

    def fields_for(self, access: Access) -> tuple[str, ...]:
        """Fields a reader with this access level may see."""
        if access is Access.internal:
            return self.public_fields + self.internal_fields
        return self.public_fields

    def queryables_for(self, access: Access) -> tuple[str, ...]:
        """Properties this access level may filter on: the declared queryables among the fields it sees."""
        visible = self.fields_for(access)
        return tuple(name for name in self.queryables if name in visible)

    def visible_to(self, access: Access) -> bool:
        """Whether a reader with this access level may see the layer at all."""
        return self.access is Access.public or access is Access.internal

    @property
    def tracked_table(self) -> str:
        """The table whose change counter (layer_changes) says this layer's data changed."""
        return self.changes_table or self.table

    @property
    def tiled(self) -> bool:
        """Large layers (a minimum zoom or an overview) are served to maps as vector tiles, not as GeoJSON."""
        return self.min_zoom > 0 or self.overview is not None

    def overviews_at(self, z: int) -> list["LayerSpec"]:
        """The overviews (and their own overviews) covering zoom z, coarsest first; empty when z shows this layer."""
        chain, spec = [], self
        while spec.overview is not None and z <= spec.overview.max_zoom:
            spec = spec.overview
            chain.insert(0, spec)
        return chain

    def at_zoom(self, z: int) -> "LayerSpec":
        """The spec whose table an unfiltered tile at zoom z is drawn from: the coarsest overview there, or this."""
        chain = self.overviews_at(z)
        return chain[0] if chain else self

    @property
    def title(self) -> str:
        """Bilingual title, Vietnamese first."""
        return f"{self.title_vi} / {self.title_en}"
