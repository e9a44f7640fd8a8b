"""What the staff tasks page (/tasks) embeds: the boards' programmes, their units and the statuses, in words.

No task is embedded: the page asks GET /api/tasks and GET /api/reports/programme with the filters chosen, so what
it shows is what the register and the progress report say. Editors change a task's status and completion date
through the OGC editing route (PATCH /collections/programme_tasks/items/{id} with If-Match).
"""

from typing import Any

from sqlalchemy import Connection, text

from gis.accounts import User
from gis.vocab import Role, TaskStatus
from layers.labels import as_pair, enum_words
from layers.tasks import DUE_SOON_DAYS

PROGRAMMES_SQL = """
SELECT g.province_code, g.year, g.code, g.title_vi, coalesce(g.title_en, g.title_vi) AS title_en,
       (SELECT a.name_vi FROM admin_units a WHERE a.code = g.province_code AND a.level = 'province'
         ORDER BY a.valid_from DESC LIMIT 1) AS province_vi
  FROM programmes g ORDER BY g.province_code, g.year
"""
UNITS_SQL = """
SELECT code, province_code, name_vi, coalesce(name_en, name_vi) AS name_en FROM programme_units
 ORDER BY province_code, name_vi
"""


def tasks_page_options(conn: Connection, user: User) -> dict[str, Any]:
    """The filters' choices in words, the latest programme year as the default, and whether the reader may edit."""
    programmes = [dict(r._mapping) for r in conn.execute(text(PROGRAMMES_SQL))]
    provinces: dict[str, str] = {}
    for programme in programmes:
        provinces.setdefault(programme["province_code"], programme["province_vi"] or programme["province_code"])
    return {
        "provinces": [{"code": code, "name_vi": name} for code, name in provinces.items()],
        "years": sorted({p["year"] for p in programmes}),
        "default_year": max((p["year"] for p in programmes), default=None),
        "units": [dict(r._mapping) for r in conn.execute(text(UNITS_SQL))],
        "statuses": [{"value": code, **as_pair(words)} for code, words in enum_words(TaskStatus).items()],
        "due_soon_days": DUE_SOON_DAYS,
        "editor": user.has_role(Role.editor),
    }
