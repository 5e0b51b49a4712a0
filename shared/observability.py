"""Logging and metrics (Powertools): JSON logs with a correlation id, EMF metrics.

Logs never carry e-mail addresses, names or message bodies: log ids and hashes.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="cocoon")
metrics = Metrics(namespace="Cocoon", service="cocoon")
