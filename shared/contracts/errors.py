"""The HTTP contract (SPEC §9): the error body every 4xx and 5xx answer has."""

from __future__ import annotations

from pydantic import Field

from shared.contracts.base import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail
