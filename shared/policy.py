"""The business policy (policy.toml), validated at load.

Every number and calendar of the rules comes from here. Validation is strict
(unknown keys are errors) so that a typo fails at start, naming the key, rather
than silently falling back to a default.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.snapshot import fingerprint, read_snapshot, write_snapshot

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.toml")
SNAPSHOT_NAME = "policy_snapshot.pickle"
PACKAGED_SNAPSHOT = Path(__file__).resolve().parents[1] / SNAPSHOT_NAME  # infra/package.py writes it
LOCAL_SNAPSHOT = Path(__file__).resolve().parents[1] / ".local" / SNAPSHOT_NAME

Priority = Literal["urgent", "high", "normal", "low"]
Impact = Literal["unusable", "severe", "moderate", "minimal"]
Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]


class PolicyError(ValueError):
    """The policy file is broken; the message names the bad key."""


class _Strict(BaseModel):
    # defer_build: a cold start that reads the validated snapshot (get_policy) never builds a validator.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Seller(_Strict):
    name: str
    street: str
    postcode: str
    city: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    vat_id: str
    email: str
    contact_name: str = Field(min_length=1)
    telephone: str = Field(pattern=r"^\+?[0-9 ()/-]{6,30}$")
    iban: str = Field(pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
    bic: str = Field(pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")

    @field_validator("iban")
    @classmethod
    def _iban_check_digits(cls, value: str) -> str:
        """ISO 13616: a mistyped IBAN on every invoice would send every payment astray."""
        rearranged = value[4:] + value[:4]
        if int("".join(str(int(character, 36)) for character in rearranged)) % 97 != 1:
            raise ValueError("the IBAN's check digits are wrong")
        return value


class SignupPolicy(_Strict):
    verification_link_hours: int = Field(gt=0)
    unverified_deleted_after_days: int = Field(gt=0)
    organization_types: tuple[str, ...]


class TrialPolicy(_Strict):
    length_days: int = Field(gt=0)
    reminder_days_before_end: tuple[int, ...]


class RetentionPolicy(_Strict):
    deleted_after_days: int = Field(gt=0)
    deletion_warning_days_before: int = Field(ge=0)


class CancellationPolicy(_Strict):
    notice_working_days: int = Field(ge=0, le=23)
    holiday_country: str
    holiday_subdivision: str | None = None
    apps_notice_working_days: int = Field(ge=0)


class SupportRegion(_Strict):
    time_zone: str
    opens: time
    closes: time

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> SupportRegion:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        return self


class SupportPolicy(_Strict):
    holiday_country: str
    holiday_subdivision: str | None = None
    holiday_categories: tuple[str, ...] = ("public",)
    hours_per_working_day: int = Field(gt=0, le=24)
    closed_ticket_closes_after_days: int = Field(gt=0)
    status_update_every_working_days: int = Field(gt=0)
    support_lead_email: str
    at_risk_within_hours: int = Field(gt=0, le=40)
    desk_page_size: int = Field(gt=0, le=100)  # tickets on one page of a desk queue
    desk_filtered_read: int = Field(gt=0, le=1000)  # items one filtered Query of a desk queue reads
    attachment_link_minutes: int = Field(gt=0, le=60)  # a desk download link of an attachment expires after
    default_region: str
    hours_billable_by_default: bool
    decision_link_days: int = Field(gt=0, le=365)
    rating_link_days: int = Field(gt=0, le=365)  # the solved mail's rating links expire after
    max_attachment_bytes: int = Field(gt=0)
    # The customer pages' uploads (screenshots, logs): extension → the content type they are stored with.
    upload_types: dict[str, str] = Field(min_length=1)
    max_mail_bytes: int = Field(gt=0)
    auto_mail_per_recipient_per_hour: int = Field(gt=0)
    web_form_tickets_per_address_per_hour: int = Field(gt=0)
    web_form_tickets_per_ip_per_hour: int = Field(gt=0)
    max_mail_parts: int = Field(gt=0)
    regions: dict[str, SupportRegion]
    first_response_hours: dict[Priority, int]
    impact_priority: dict[Impact, Priority]
    region_by_country: dict[str, str]

    @model_validator(mode="after")
    def _regions_exist(self) -> SupportPolicy:
        if self.default_region not in self.regions:
            raise ValueError(f"default_region: unknown region {self.default_region!r}")
        for country, region in self.region_by_country.items():
            if region not in self.regions:
                raise ValueError(f"region_by_country.{country}: unknown region {region!r}")
        return self


class Edition(_Strict):
    monthly_price_per_user: Money
    rank: int = Field(gt=0)
    app_designer: bool


class AddOnApp(_Strict):
    name: str
    monthly_price: Money


class VatPolicy(_Strict):
    home_country: str
    home_rate: Decimal = Field(ge=0, le=100)
    eu_countries: tuple[str, ...]
    reverse_charge_note: str


class SupportBilling(_Strict):
    hourly_rate: Money


class DunningStep(_Strict):
    name: str = Field(pattern=r"^[a-z_]+$")  # the reminder's mail template
    days_after_due: int = Field(gt=0)
    fee: Money


class DunningPolicy(_Strict):
    suspend_after_days: int = Field(gt=0)
    levels: tuple[DunningStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_in_order(self) -> DunningPolicy:
        days = [level.days_after_due for level in self.levels]
        if days != sorted(set(days)):
            raise ValueError("levels: days_after_due must rise from level to level")
        if self.suspend_after_days <= days[-1]:
            raise ValueError("suspend_after_days must come after the last level")
        return self


class DirectDebitPolicy(_Strict):
    creditor_id: str = Field(pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$")
    creditor_iban: str = Field(pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
    creditor_bic: str = Field(pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")
    max_debits_per_file: int = Field(gt=0, le=98)  # a transaction holds 100 items: the file and its invoices


class BillingPolicy(_Strict):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    payment_terms_days: int = Field(ge=0)
    max_statement_bytes: int = Field(gt=0)
    editions: dict[str, Edition] = Field(min_length=1)
    apps: dict[str, AddOnApp]
    vat: VatPolicy
    support: SupportBilling
    dunning: DunningPolicy
    direct_debit: DirectDebitPolicy


class HttpPolicy(_Strict):
    max_body_bytes: int = Field(gt=0)
    idempotency_key_hours: int = Field(ge=24)


class MailPolicy(_Strict):
    # A complaint stops automatic mail to the address for this long (SPEC §12); a new complaint renews it.
    complaint_suppression_days: int = Field(gt=0)
    send_event_wait_minutes: int = Field(gt=0)
    max_attachment_bytes: int = Field(gt=0, le=7_000_000)  # SES: 10 MB per raw message, base64 included


class DeskPolicy(_Strict):
    # The staff desk's sign-in and sessions (SPEC §13); the customer pages reuse the same session rules.
    sign_in_link_minutes: int = Field(gt=0, le=60)
    support_link_minutes: int = Field(gt=0, le=15)  # the app's "Support" deep link to the account pages
    session_idle_minutes: int = Field(gt=0)
    session_absolute_hours: int = Field(gt=0, le=24)
    session_touch_seconds: int = Field(ge=0)
    totp_valid_window: int = Field(ge=0, le=2)
    search_results: int = Field(gt=0, le=100)  # BatchGetItem reads at most 100 keys: one request
    ui_languages: tuple[str, ...] = Field(min_length=1)  # the desk's UI text; the first is its fallback


class Policy(_Strict):
    company_time_zone: str
    languages: tuple[str, ...] = Field(min_length=1)
    fallback_language: str
    dpa_version: str
    seller: Seller
    signup: SignupPolicy
    trial: TrialPolicy
    retention: RetentionPolicy
    cancellation: CancellationPolicy
    support: SupportPolicy
    billing: BillingPolicy
    http: HttpPolicy
    mail: MailPolicy
    desk: DeskPolicy

    @model_validator(mode="after")
    def _fallback_is_a_language(self) -> Policy:
        if self.fallback_language not in self.languages:
            raise ValueError(f"fallback_language {self.fallback_language!r} is not in languages")
        return self


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> Policy:
    """Parse and validate a policy file; raise PolicyError naming the first bad key."""
    import tomllib  # a cold start with a current snapshot (get_policy) parses no TOML

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"policy file {path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"policy file {path}: {problems}") from exc


def policy_fingerprint(path: Path = DEFAULT_POLICY_PATH) -> str:
    """What a validated policy was made from: this policy file, these models and this pydantic."""
    from pydantic.version import VERSION

    return fingerprint(path.read_bytes(), Path(__file__).read_bytes(), VERSION.encode("ascii"))


def cached_policy(path: Path, snapshots: tuple[Path, ...], local: Path | None) -> Policy:
    """The policy at `path`: a snapshot of it validated earlier (shared/snapshot.py), else validated now.

    The first snapshot made from this very file, these models and this pydantic is used; when none is, the
    file is validated (a broken one raises PolicyError, whatever snapshot lies beside it) and the result
    is kept at `local` for the next cold start.
    """
    try:
        expected = policy_fingerprint(path)
    except OSError:
        return load_policy(path)  # names the unreadable file
    for snapshot in snapshots:
        stored = read_snapshot(snapshot, expected)
        if isinstance(stored, Policy):
            return stored
    policy = load_policy(path)
    if local is not None:
        write_snapshot(local, expected, policy)
    return policy


def write_policy_snapshot(target: Path, path: Path = DEFAULT_POLICY_PATH) -> Path:
    """Validate the policy at `path` and store it at `target` for cold starts (infra/package.py)."""
    if not write_snapshot(target, policy_fingerprint(path), load_policy(path)):
        raise PolicyError(f"cannot write the policy snapshot {target}")
    return target


@cache
def get_policy() -> Policy:
    """The process's policy, loaded on first use: the zip's or `.local/`'s validated snapshot when current."""
    return cached_policy(DEFAULT_POLICY_PATH, (PACKAGED_SNAPSHOT, LOCAL_SNAPSHOT), LOCAL_SNAPSHOT)
