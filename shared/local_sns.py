"""SNS as `make run` and the tests play it: messages signed with a key of this process, and the
certificate of that key for its URL — so every message still goes through the one verifier.

Nothing here is a way around the verification: a deployed function fetches certificates from AWS
(shared/sns_certificates.py) and never asks this module; only a caller that passes
`LocalSns.certificate` as the certificate source (the tests, the local CLI) trusts its key.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from shared.rules.sns_signature import signed_text

LOCAL_REGION = "eu-central-1"


class LocalSns:
    """A signing key and its self-signed certificate, made once per process (RSA 2048, like AWS's)."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        moment = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(moment - timedelta(days=1))
            .not_valid_after(moment + timedelta(days=365))
            .sign(self._key, hashes.SHA256())
        )
        self.pem = certificate.public_bytes(serialization.Encoding.PEM)
        self._file = f"SimpleNotificationService-local-{uuid.uuid4().hex}.pem"

    def certificate_url(self, topic_arn: str) -> str:
        """Where AWS would keep the certificate for a topic of this region (the verifier insists on it)."""
        region = topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else LOCAL_REGION
        return f"https://sns.{region}.amazonaws.com/{self._file}"

    def certificate(self, url: str) -> bytes:
        """The certificate source for the verifier: this key's certificate, for its own URL only."""
        if not (url.startswith("https://sns.") and url.endswith(f".amazonaws.com/{self._file}")):
            raise ValueError("not this process's local SNS certificate")
        return self.pem

    def envelope(
        self, message: str, topic_arn: str, *, version: str = "1", subject: str | None = None
    ) -> dict[str, Any]:
        """A signed SNS notification as a Lambda record's `Sns` carries it."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        envelope: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "SignatureVersion": version,
            "SigningCertUrl": self.certificate_url(topic_arn),
            "UnsubscribeUrl": self.certificate_url(topic_arn).rsplit("/", 1)[0] + "/?Action=Unsubscribe",
            "MessageAttributes": {},
        }
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303  # SNS's version 1
        signature = self._key.sign(signed_text(envelope), padding.PKCS1v15(), algorithm)
        envelope["Signature"] = base64.b64encode(signature).decode("ascii")
        return envelope

    def lambda_event(self, message: str, topic_arn: str, **options: Any) -> dict[str, Any]:
        """The event Lambda hands an `on_sns_message` handler for one signed message."""
        return {
            "Records": [
                {
                    "EventSource": "aws:sns",
                    "EventVersion": "1.0",
                    "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                    "Sns": self.envelope(message, topic_arn, **options),
                }
            ]
        }


@cache
def local_sns() -> LocalSns:
    """The process's one local signer (making an RSA key takes a moment)."""
    return LocalSns()
