"""Signup and e-mail verification (SPEC §2 "Signup"): the public web form's endpoints."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, bad_request, conflict
from shared.api.idempotency import run_idempotently
from shared.api.pages import html_page, wants_html
from shared.api.requests import decode_body, query_param, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger, metrics

bp = Blueprint(__name__)


@api_route(
    bp,
    "/signup",
    "POST",
    access=Access.PUBLIC,
    creates=True,
    status=202,
    summary="Start a signup; sends the verification mail",
    request_model="shared.contracts:SignupRequest",
    response_model="shared.contracts:SignupAccepted",
)
def start_signup() -> Response:
    request = bp.current_request
    body = raw_body(request)
    return run_idempotently(
        request.headers, body, lambda: _start_signup(decode_body(body, request.headers)), bp.lambda_context
    )


def _start_signup(fields: dict[str, object]) -> Response:
    from shared.contracts import SignupRequest
    from shared.policy import get_policy
    from shared.rules.signup import InvalidVatId, check_vat_id
    from shared.services.accounts.errors import EmailTaken
    from shared.services.accounts.signup import NewSignup, start_signup

    form = validate(SignupRequest, fields)
    accepted = {"status": "verification_sent", "message": "Check your inbox: we sent you a link to confirm the signup."}
    if form.website:
        # The spam trap was filled in: answer like a success so bots learn nothing, store nothing.
        metrics.add_metric(name="SignupSpamTrapped", unit="Count", value=1)
        return json_response(accepted, status=202)
    vat_id = None
    if form.vat_id:
        try:
            vat_id = check_vat_id(form.vat_id, form.country)
        except InvalidVatId as exc:
            raise bad_request("The VAT ID is not valid.", {"vat_id": str(exc)}) from exc
    signup = NewSignup(
        company_name=form.company_name,
        organization_type=form.organization_type,
        country=form.country,
        vat_id=vat_id,
        admin_name=form.admin_name,
        admin_email=str(form.admin_email),
        language=form.language,
        street=form.street,
        postcode=form.postcode,
        city=form.city,
        billing_email=str(form.billing_email) if form.billing_email else None,
    )
    try:
        account_id = start_signup(signup, current_scope().now, get_policy())
    except EmailTaken as exc:
        if exc.pending:
            raise conflict(
                "signup_pending",
                "A signup with this e-mail is waiting for verification: use the link we mailed. "
                "Once that link has expired you can sign up again.",
                {"admin_email": "a signup with this e-mail is waiting for verification"},
            ) from exc
        raise conflict(
            "email_taken",
            "An account with this e-mail already exists. Sign in, or ask its admin to add you as a user.",
            {"admin_email": "already used by a live account"},
        ) from exc
    logger.info("signup started", extra={"account_id": account_id})
    metrics.add_metric(name="SignupStarted", unit="Count", value=1)
    return json_response(accepted, status=202)


@api_route(
    bp,
    "/signup/verify",
    "GET",
    access=Access.SIGNED_LINK,
    response_content_type="text/html",
    summary="The page behind the verification link: a confirm button; changes nothing",
    query={"token": "the token from the verification mail"},
)
def verification_page() -> Response:
    token = query_param(bp.current_request, "token", "")
    if not token:
        return html_page(
            "message",
            400,
            heading="Link incomplete",
            css_class="error",
            text="This link has no token. Please open the link from the mail exactly as it was sent.",
        )
    return html_page("verify_confirm", token=token)


@api_route(
    bp,
    "/signup/verify",
    "POST",
    access=Access.SIGNED_LINK,
    summary="Confirm the signup: starts the trial and returns the admin token once",
    request_model="shared.contracts:VerifyRequest",
    response_model="shared.contracts:VerifyResult",
)
def confirm_verification() -> Response:
    from shared.contracts import VerifyRequest
    from shared.policy import get_policy
    from shared.services.accounts.errors import LinkInvalid
    from shared.services.accounts.signup import verify_signup

    request = bp.current_request
    form = validate(VerifyRequest, decode_body(raw_body(request), request.headers))
    try:
        verified = verify_signup(form.token, current_scope().now, get_policy())
    except LinkInvalid as exc:
        messages = {
            "unknown": (404, "link_unknown", "This verification link is unknown or was already used."),
            "expired": (410, "link_expired", "This verification link has expired; please sign up again."),
            "used": (409, "link_used", "This verification link was already used."),
        }
        status, code, message = messages[exc.reason]
        if wants_html(request.headers):
            return html_page("message", status, heading="Link not valid", css_class="error", text=message)
        raise ApiError(status, code, message, {"token": exc.reason}) from exc
    logger.info("signup verified", extra={"account_id": verified.account_id})
    metrics.add_metric(name="TrialStarted", unit="Count", value=1)
    result = {
        "account_id": verified.account_id,
        "admin_token": verified.admin_token,
        "trial_ends_on": verified.trial.last_day.isoformat(),
    }
    if wants_html(request.headers):
        return html_page("verify_done", 200, **result)
    return json_response(result, status=201)
