"""Is this SNS message from AWS, on our topic? (SPEC §8: SNS messages are verified by their signature.)

AWS's recipe (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html): the
certificate comes from `SigningCertURL`, which must be https on `sns.<region>.amazonaws.com`; the
signed text is "Name\\nvalue\\n" for the message's fields in a fixed order; SignatureVersion 1 signs
it with RSA SHA-1, version 2 with RSA SHA-256. We also require the topic to be exactly ours, so a
message AWS really signed for someone else's topic is refused too.

Pure apart from the certificate, which the caller's `certificate(url)` supplies (shared/sns_certificates.py
fetches and caches AWS's; tests and `make run` pass their own). A Lambda SNS record and an HTTP
delivery spell two fields differently (`SigningCertUrl`, `UnsubscribeUrl`); both are read.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

CertificateSource = Callable[[str], bytes]  # the PEM certificate at an (already checked) URL

_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}")
_CERT_PATH = re.compile(r"/[A-Za-z0-9._-]+\.pem")


class ForgedSnsMessage(Exception):
    """Not a message SNS signed for our topic. The message says which check failed, never its content."""


def signed_text(envelope: Mapping[str, Any]) -> bytes:
    """The bytes SNS signs: each present field of the message's type as "Name\\nvalue\\n", in order."""
    fields = _SIGNED_FIELDS.get(str(envelope.get("Type")))
    if fields is None:
        raise ForgedSnsMessage("unknown SNS message type")
    parts: list[str] = []
    for name in fields:
        value = envelope.get(name)
        if value is None:
            if name == "Subject":
                continue  # the only optional signed field
            raise ForgedSnsMessage(f"SNS message without {name}")
        if not isinstance(value, str):
            raise ForgedSnsMessage(f"SNS message field {name} is not text")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def certificate_url(envelope: Mapping[str, Any], topic_arn: str) -> str:
    """The signing certificate's URL, if it is AWS's SNS of the topic's region over https (else refused)."""
    url = envelope.get("SigningCertURL", envelope.get("SigningCertUrl"))
    match = _TOPIC_ARN.fullmatch(topic_arn)
    if not isinstance(url, str) or match is None:
        raise ForgedSnsMessage("SNS message without a signing certificate URL")
    parts = urlsplit(url)
    suffix = ".amazonaws.com.cn" if match.group("region").startswith("cn-") else ".amazonaws.com"
    if (
        parts.scheme != "https"
        or parts.netloc != f"sns.{match.group('region')}{suffix}"  # no port, no user, no other host
        or not _CERT_PATH.fullmatch(parts.path)
        or parts.query
        or parts.fragment
    ):
        raise ForgedSnsMessage("signing certificate URL is not AWS SNS's of the topic's region")
    return url


def verify_sns_message(envelope: Mapping[str, Any], *, topic_arn: str, certificate: CertificateSource) -> str:
    """The message's `Message`, once SNS's signature for our topic is verified; else ForgedSnsMessage."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509 import load_pem_x509_certificate

    if not topic_arn or envelope.get("TopicArn") != topic_arn:
        raise ForgedSnsMessage("SNS message is not from our topic")
    if envelope.get("Type") != "Notification":
        raise ForgedSnsMessage("SNS message is not a notification")
    version = envelope.get("SignatureVersion")
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303  # SNS's SignatureVersion 1 is RSA SHA-1 by definition
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise ForgedSnsMessage("SNS signature version is neither 1 nor 2")
    url = certificate_url(envelope, topic_arn)
    text = signed_text(envelope)
    signature = envelope.get("Signature")
    if not isinstance(signature, str):
        raise ForgedSnsMessage("SNS message without a signature")
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ForgedSnsMessage("SNS signature is not base64") from exc
    try:
        key = load_pem_x509_certificate(certificate(url)).public_key()
    except ValueError as exc:
        raise ForgedSnsMessage("signing certificate is unreadable") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ForgedSnsMessage("signing certificate has no RSA key")
    try:
        key.verify(raw_signature, text, padding.PKCS1v15(), algorithm)
    except InvalidSignature as exc:
        raise ForgedSnsMessage("SNS signature does not verify") from exc
    return str(envelope["Message"])
