"""The support desk's refusals as HTTP errors: eligibility, the hourly limits, sizes (each names its field)."""

from __future__ import annotations

from typing import Any

from shared.api.errors import ApiError

NOT_ELIGIBLE = (
    "Support is for contacts of our business customers with a live account. We could not find this "
    "e-mail address among them, so the request was not stored. Ask your account's admin to add you as a user."
)


def too_many(exc: Any) -> ApiError:
    minutes = max(1, exc.retry_after // 60)
    reason = {
        "email": f"too many requests for this address this hour; try again in {minutes} minutes",
        "client_ip": f"too many requests from your network this hour; try again in {minutes} minutes",
    }[exc.field]
    return ApiError(
        429,
        "too_many_requests",
        "Too many support requests in a short time; please wait before sending another.",
        {exc.field: reason},
        headers={"Retry-After": str(exc.retry_after)},
    )


def too_large(exc: Any) -> ApiError:
    return ApiError(
        400,
        "too_large",
        "The request is too large to store; please shorten it or send long logs as attachments by mail.",
        {exc.field: "too long"},
    )
