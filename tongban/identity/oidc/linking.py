"""Which local account a provincial sign-in is: the link, else the verified ID number.

A first sign-in is accepted only when the provincial platform says the ID number is
verified and the name and ID number match the population base (``registry.verify_person``).
The account with that ID number (its blind index) is linked; when there is none, a person
account is created at L2 with the method "provincial". A mismatch is refused with the
registry's Chinese reason, and recorded.
"""

import secrets

from django.db import transaction

from tongban.audit import services as audit
from tongban.core import clock
from tongban.core.pii import blind_index, mask
from tongban.errors import PermissionDenied
from tongban.identity.models import FederatedIdentity, Level, RealNameVerification, User
from tongban.identity.realname import split_name
from tongban.registry import services as registry

Method = RealNameVerification.Method


def account_for(claims: dict, *, issuer: str, request=None) -> User:
    subject = str(claims.get("sub") or "")
    number = registry.normalize_id_number(str(claims.get("id_number") or ""))
    link = (
        FederatedIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if link is not None:
        return _known(link, number, request=request)
    person = _verified_person(claims, number, issuer=issuer, request=request)
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(id_number_hash=blind_index(number, "id_number"))
            .first()
        )
        if user is None:
            user = _create(person, request=request)
        else:
            _refuse_unusable(user)
            _raise_to_l2(user, request=request)
        FederatedIdentity.objects.create(
            user=user, issuer=issuer, subject=subject, last_login_at=clock.now()
        )
        audit.record(
            user,
            "identity.federation.link",
            user,
            changes={"issuer": [None, issuer], "id_number": mask(number, "id_number")},
            request=request,
        )
    return user


def _known(link: FederatedIdentity, number: str, *, request=None) -> User:
    user = link.user
    _refuse_unusable(user)
    if number and user.id_number and blind_index(number, "id_number") != user.id_number_hash:
        _refused(user, link.issuer, "id_number_changed", number, request=request)
        raise PermissionDenied(
            "省统一身份认证平台提供的身份证号码与您在本平台的实名信息不一致,请携带身份证到窗口核实",
            "The provincial ID number differs from this account's",
        )
    with transaction.atomic():
        link.last_login_at = clock.now()
        link.save(update_fields=["last_login_at"])
        audit.record(user, "identity.federation.signin", user, note=link.issuer, request=request)
    return user


def _verified_person(claims: dict, number: str, *, issuer: str, request=None):
    if claims.get("id_number_verified") is not True or not number:
        _refused(None, issuer, "not_verified", number, request=request)
        raise PermissionDenied(
            "省统一身份认证平台未确认您的身份证号码,无法登录本平台;请使用手机号登录后进行实名认证",
            "The provincial platform did not assert a verified ID number",
        )
    result = registry.verify_person(str(claims.get("name") or ""), number)
    if not result.ok:
        _refused(None, issuer, result.code, number, request=request)
        reason = result.message.split(" / ")[0]
        raise PermissionDenied(
            f"省统一身份认证平台提供的身份信息与人口库比对不一致:{reason}",
            "The provincial identity does not match the population base",
        )
    return result.person


def _create(person, *, request=None) -> User:
    last, first = split_name(person.name)
    user = User(
        username=_new_username(),
        kind=User.Kind.PERSON,
        id_number=str(person.id_number),
        last_name=last,
        first_name=first,
        real_name_level=Level.L2,
    )
    user.set_unusable_password()
    user.save()
    RealNameVerification.objects.create(user=user, level=Level.L2, method=Method.PROVINCIAL)
    audit.record(
        user,
        "identity.user.create",
        user,
        changes={
            "id_number": mask(str(person.id_number), "id_number"),
            "real_name_level": [None, int(Level.L2)],
            "method": Method.PROVINCIAL,
        },
        note="first sign-in through the provincial identity platform",
        request=request,
    )
    return user


def _raise_to_l2(user: User, *, request=None) -> None:
    if user.real_name_level >= Level.L2:
        return
    before = user.real_name_level
    user.real_name_level = Level.L2
    user.save(update_fields=["real_name_level"])
    RealNameVerification.objects.create(user=user, level=Level.L2, method=Method.PROVINCIAL)
    audit.record(
        user,
        "identity.realname.raise",
        user,
        changes={"real_name_level": [before, int(Level.L2)], "method": Method.PROVINCIAL},
        request=request,
    )


def _refuse_unusable(user: User) -> None:
    if user.kind != User.Kind.PERSON or user.is_staff:
        raise PermissionDenied(
            "工作人员账号请从管理后台登录(需动态验证码)", "Staff sign in at /admin/ with TOTP"
        )
    if not user.is_active:
        raise PermissionDenied("该账号已停用,请联系窗口工作人员", "This account is disabled")


def _refused(user, issuer: str, outcome: str, number: str, *, request=None) -> None:
    audit.record(
        user,
        "identity.federation.refuse",
        None,
        changes={"outcome": outcome, "id_number": mask(number, "id_number") if number else None},
        note=issuer,
        object_type="identity.federatedidentity",
        object_id="-",
        object_repr=issuer,
        request=request,
    )


def _new_username() -> str:
    while True:
        name = f"u{secrets.token_hex(5)}"
        if not User.objects.filter(username=name).exists():
            return name
