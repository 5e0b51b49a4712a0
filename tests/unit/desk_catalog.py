"""The desk's msgids as `pybabel extract -F desk.babel.cfg` finds them (used by the unit and the functional tests)."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from shared.api.catalogs import LOCALE_ROOT

PROJECT = LOCALE_ROOT.parents[1]


def desk_msgids() -> set[str]:
    """The templates' strings and the N_-marked texts of the desk's Python (a plural by its singular)."""
    with (PROJECT / "desk.babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(PROJECT), method_map=method_map, options_map=options_map)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}
