"""Why a use case refused: the base of every service error (each subdomain's errors module subclasses it).

The HTTP edge (shared/api/errors.py) turns a refusal into its 4xx; a job logs it. A storage error
that a service does not decide on passes through unchanged (shared/storage/errors.py).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A use case refused what it was asked: the caller's request, not our failure."""
