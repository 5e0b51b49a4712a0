"""The one error of the billing rules."""

from __future__ import annotations


class BillingError(ValueError):
    """The history cannot be billed as asked (no edition, month outside the paid period, unknown price).

    A ``ValueError`` so that callers that map bad input to 4xx answers need no special case.
    """
