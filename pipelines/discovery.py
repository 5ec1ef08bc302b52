"""Finds plug-in modules, so adding a system never edits a shared list.

A module in a plug-in package that lacks what its package is for is an error, not a silent
skip: a system whose ``defs``, ``WORKLOAD`` or ``cli`` went missing must fail loudly.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def submodules(package: str, attribute: str) -> list[ModuleType]:
    """Every direct public submodule of ``package``, in name order; each must define
    ``attribute``."""
    pkg = importlib.import_module(package)
    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        if not hasattr(module, attribute):
            raise RuntimeError(f"{module.__name__} defines no {attribute}")
        found.append(module)
    return found
