"""AWS SNS's signing certificates, fetched from the URL a message names (checked first) and kept per process.

The URL has passed `shared/rules/sns_signature.certificate_url` (https, `sns.<region>.amazonaws.com`)
before it gets here; the TLS connection is verified against the system's CAs. SNS signs with few
certificates, so a warm function fetches each once. A fetch that fails raises: the invocation fails
and is retried (and in the end lands in the dead-letter queue), it is never taken as verified.
"""

from __future__ import annotations

import threading
import urllib.request

_FETCH_SECONDS = 5
_MAX_BYTES = 64 * 1024  # a PEM certificate is about 2 KB
_cache: dict[str, bytes] = {}
_lock = threading.Lock()


class CertificateUnavailable(RuntimeError):
    """The certificate could not be fetched (network, size): retry later."""


def fetch_certificate(url: str) -> bytes:
    """The PEM at `url` (an https URL of AWS SNS, already checked), cached for the process."""
    with _lock:
        if url in _cache:
            return _cache[url]
    if not url.startswith("https://"):
        raise CertificateUnavailable("only https certificate URLs are fetched")
    with urllib.request.urlopen(url, timeout=_FETCH_SECONDS) as response:  # noqa: S310  # https only, AWS's host
        body: bytes = response.read(_MAX_BYTES + 1)
    if len(body) > _MAX_BYTES:
        raise CertificateUnavailable("the certificate is too large")
    with _lock:
        _cache[url] = body
    return body
