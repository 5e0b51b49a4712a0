"""The template context every mail about an account starts from: who it is for and where to answer."""

from __future__ import annotations

from typing import Any, Protocol

from shared.policy import Policy


class MailedAccount(Protocol):
    """What an account's mails name: the company, its admin, the account id."""

    @property
    def company_name(self) -> str: ...
    @property
    def admin_name(self) -> str: ...
    @property
    def account_id(self) -> str: ...


class AddressedAccount(MailedAccount, Protocol):
    """An account its admin's mails go to: the names above, the admin's address and the account's language."""

    @property
    def admin_email(self) -> str: ...
    @property
    def language(self) -> str: ...


def mail_context(account: MailedAccount, policy: Policy, **extra: Any) -> dict[str, Any]:
    from shared.settings import get_settings

    return {
        "company_name": account.company_name,
        "admin_name": account.admin_name,
        "account_id": account.account_id,
        "app_url": get_settings().public_url,
        "support_email": policy.seller.email,
        **extra,
    }
