"""pyogrio, imported on first use, and for short-lived commands without its pandas and geopandas probe.

pyogrio imports pandas and geopandas when they are installed, for read_dataframe/write_dataframe, which Zone Atlas
never calls (it writes Arrow streams and reads with pyogrio.raw). For a `zoneatlas` command that probe was half a
second of start-up and 100 MB of memory. The web app and the tests (which read files back with read_dataframe)
import pyogrio as it is; this module imports nothing heavy itself.
"""

import sys
from types import ModuleType

SKIP_PANDAS = {"enabled": False}


def skip_pandas_probe() -> None:
    """From now on, the first import of pyogrio hides pandas and geopandas from it (unless already imported)."""
    SKIP_PANDAS["enabled"] = True


def ogr() -> ModuleType:
    """pyogrio, with pyogrio.raw and pyogrio.errors loaded."""
    hidden = []
    if "pyogrio" not in sys.modules and SKIP_PANDAS["enabled"]:
        hidden = [name for name in ("geopandas", "pandas") if name not in sys.modules]
        sys.modules.update(dict.fromkeys(hidden))  # None in sys.modules: `import pandas` raises ImportError
    try:
        import pyogrio
        import pyogrio.errors
        import pyogrio.raw
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return pyogrio
