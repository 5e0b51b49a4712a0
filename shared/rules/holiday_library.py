"""The `holidays` library's calendar of one country, loading that country only.

Why: `holidays.countries/__init__` imports all of the library's ~250 country modules, so the first
due time or notice period of a cold Lambda paid ~85 ms (about half an `import boto3`) for countries
the policy never names. The library itself finds a country by importing
`holidays.countries.<module>` (its registry), which needs the package, not its `__init__`'s names.
So the package is bound without running its `__init__`; the first time anything asks it for a
name it does not hold yet (`from holidays.countries import Austria`), the real `__init__` runs and
the name is answered: nothing that uses the library in any other way sees a difference.

Pure: no AWS, no clock, no settings; the dates are the library's own (tests compare them).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

_PACKAGE = "holidays.countries"
_lock = threading.Lock()


def _countries_package_without_init() -> None:
    """Bind `holidays.countries` to the package module, its `__init__` deferred to the first name asked for."""
    with _lock:
        if _PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(_PACKAGE)  # imports `holidays` itself, which does not import its countries
        if spec is None or spec.loader is None or _PACKAGE in sys.modules:
            return
        package = importlib.util.module_from_spec(spec)
        initialized = False

        def __getattr__(name: str) -> object:  # noqa: N807 - the module attribute hook (PEP 562)
            nonlocal initialized
            if initialized or name.startswith("__"):
                raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")
            initialized = True
            assert spec.loader is not None
            spec.loader.exec_module(package)  # the real __init__: every country, as if imported normally
            return getattr(package, name)

        vars(package)["__getattr__"] = __getattr__
        sys.modules[_PACKAGE] = package
        parent: ModuleType = sys.modules["holidays"]
        vars(parent)["countries"] = package  # what the import system does once a submodule is loaded


def country_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], years: int | None = None
) -> HolidayBase:
    """`holidays.country_holidays(country, subdiv=..., categories=..., years=...)`, loading only that country."""
    _countries_package_without_init()
    import holidays

    if years is None:
        return holidays.country_holidays(country, subdiv=subdivision, categories=categories)
    return holidays.country_holidays(country, subdiv=subdivision, categories=categories, years=years)
