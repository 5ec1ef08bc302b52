"""The platform's own logs into its logging system: one handler on the ``blueprint`` loggers.

Attaching raises the loggers to the shipping level when they would drop those records, and
remembers their levels; detaching restores them and closes the handler (which flushes first).
"""

from __future__ import annotations

import logging

from warehouse.logs.handler import SpoolHandler

APP_LOGGERS = ("blueprint",)
ACCESS_LOGGER = "blueprint.access"


class AppLogShipping:
    """Ships records of the app's loggers (access logs included) through ``handler``."""

    def __init__(self, handler: SpoolHandler, level: int = logging.INFO) -> None:
        self.handler = handler
        self.level = level
        self._saved: list[tuple[logging.Logger, int]] = []
        self._attached: list[logging.Logger] = []

    def attach(self) -> None:
        if self._saved:
            return
        for name in (*APP_LOGGERS, ACCESS_LOGGER):
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.level))
            if logger.level == logging.NOTSET or logger.level > self.level:
                logger.setLevel(self.level)
            # blueprint.access propagates to blueprint; attach there only if it does not.
            if name in APP_LOGGERS or not logger.propagate:
                logger.addHandler(self.handler)
                self._attached.append(logger)

    def detach(self) -> None:
        """Stop shipping: restore the loggers, then flush and close the handler."""
        for logger in self._attached:
            logger.removeHandler(self.handler)
        for logger, level in self._saved:
            logger.setLevel(level)
        self._attached, self._saved = [], []
        self.handler.close()
