"""Finds each system's plug-in modules, so adding a system never edits a shared list."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def submodules(package: str, attribute: str) -> list[ModuleType]:
    """Direct submodules of ``package`` that define ``attribute``, in name order."""
    pkg = importlib.import_module(package)
    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        if hasattr(module, attribute):
            found.append(module)
    return found
