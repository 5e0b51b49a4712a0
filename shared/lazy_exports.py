"""A package's public names, each imported from its own module on first use (PEP 562).

Why: a package that imported all its modules to name their values made every caller pay for all of
them; a cold Lambda asks for one or two names (the billing rules' month keys, one request contract).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, home: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The package's module `__getattr__`: `name` is imported from `package.<home[name]>` and kept in
    `namespace` (the package's globals), so it is looked up once."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module attribute hook (PEP 562)
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        namespace[name] = value
        return value

    return __getattr__
