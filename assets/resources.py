"""Resources shared by every asset: the platform's settings and lake.

One interface, interchangeable versions: the live resource points at the configured data
directory; tests build it on a temporary directory.
"""

from pathlib import Path

import dagster as dg

from warehouse.lake import Lake
from warehouse.settings import Settings, get_settings


class PlatformResource(dg.ConfigurableResource):
    """Where the platform's state lives. Empty ``data_dir`` means the environment's setting."""

    data_dir: str = ""

    def settings(self) -> Settings:
        if not self.data_dir:
            return get_settings()
        return get_settings().model_copy(update={"data_dir": Path(self.data_dir)})

    def lake(self) -> Lake:
        return Lake(self.settings().lake_dir)
