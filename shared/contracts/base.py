"""The HTTP contract (SPEC §9): every contract's base models."""

from __future__ import annotations

from pydantic import BaseModel as _PydanticModel
from pydantic import ConfigDict


class BaseModel(_PydanticModel):
    """Every contract's base: its validator is built on first use, not at import. A cold function
    validates one or two of these models; building all of them cost ~30 ms of each first request."""

    model_config = ConfigDict(defer_build=True)


class _Request(BaseModel):
    # Web forms may send more fields than we read (buttons, CSRF tokens); ignore them.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
