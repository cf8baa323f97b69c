import base64
import io
import logging

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template

from tongban.audit.models import AuditRecord
from tongban.core import checks
from tongban.core.pii import blind_index, crypto, decrypt, encrypt, mask
from tongban.core.pii.logging import RedactFilter
from tongban.core.pii.masking import Personal
from tongban.core.pii.reveal import reveal
from tongban.errors import InvalidInput, PermissionDenied
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, StaffFactory
from tongban.registry.models import Person
from tongban.registry.tests.factories import PersonFactory

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
NEW_KEY = base64.b64encode(bytes(range(32))).decode()


def test_sm4_matches_the_standard_vector():
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == (
        "681edf34d206965e86b3e94f536e4246"
    )


def test_token_names_version_algorithm_and_key_and_decrypts():
    token = encrypt(ID_NUMBER)
    assert token.startswith("v1:sm4:dev:")
    assert ID_NUMBER not in token
    assert decrypt(token) == ID_NUMBER
    assert encrypt(ID_NUMBER) != token  # a fresh nonce each time


def test_aes_tokens_stay_readable_next_to_sm4(settings):
    settings.PII_ALGORITHM = "aes"
    token = encrypt("周至县哑柏镇")
    assert token.startswith("v1:aes:dev:")
    settings.PII_ALGORITHM = "sm4"
    assert decrypt(token) == "周至县哑柏镇"


def test_tampered_token_is_refused():
    token = encrypt(PHONE)
    moved = token.replace("v1:sm4:", "v1:aes:")
    with pytest.raises(crypto.DecryptionError):
        decrypt(moved)


def test_blind_index_normalizes_and_separates_kinds():
    assert blind_index(ID_NUMBER.lower(), "id_number") == blind_index(ID_NUMBER, "id_number")
    assert blind_index("+86 138-1234-5678", "phone") == blind_index(PHONE, "phone")
    assert blind_index(PHONE, "phone") != blind_index(PHONE, "text")
    assert len(blind_index(PHONE, "phone")) == 64


def test_blind_index_depends_on_the_index_key(settings):
    before = blind_index(PHONE, "phone")
    settings.PII_INDEX_KEY = NEW_KEY
    assert blind_index(PHONE, "phone") != before


@pytest.mark.django_db
def test_encrypted_field_refuses_lookups_other_than_isnull():
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone=PHONE))
    assert not Person.objects.filter(phone__isnull=True).exists()


@pytest.mark.django_db
def test_values_read_back_are_personal_strings():
    person = Person.objects.get(pk=PersonFactory().pk)
    assert isinstance(person.phone, Personal) and person.phone.kind == "phone"
    assert isinstance(person.name, Personal) and person.name.kind == "name"


@pytest.mark.django_db
def test_rotation_reencrypts_with_the_active_key_and_keeps_values(settings):
    people = PersonFactory.create_batch(3)
    settings.PII_KEYS = {"k2": NEW_KEY, **settings.PII_KEYS}
    settings.PII_ACTIVE_KEY = "k2"
    newcomer = PersonFactory()  # written with k2 at once
    out = io.StringIO()
    call_command("rotate_pii_keys", "--batch", "2", stdout=out)
    assert "registry.Person: 共 4 行,重新加密 3 行" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address FROM registry_person")
        tokens = [token for row in cursor.fetchall() for token in row]
    assert all(token.startswith("v1:sm4:k2:") for token in tokens)
    settings.PII_KEYS = {"k2": NEW_KEY}  # the old key can go now
    for person in [*people, newcomer]:
        stored = Person.objects.get(pk=person.pk)
        assert (stored.id_number, stored.phone) == (person.id_number, person.phone)
    assert AuditRecord.objects.filter(action="pii.rotate", object_type="registry.person").exists()


@pytest.mark.django_db
def test_reindex_recomputes_blind_indexes(settings):
    person = PersonFactory()
    settings.PII_INDEX_KEY = NEW_KEY
    assert not Person.objects.filter(id_number_hash=blind_index(person.id_number, "id_number"))
    call_command("rotate_pii_keys", "--reindex", stdout=io.StringIO())
    assert Person.objects.filter(id_number_hash=blind_index(person.id_number, "id_number"))


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        ("610124199001011234", "id_number", "610124********1234"),
        (PHONE, "phone", "138****5678"),
        ("陕西省西安市周至县哑柏镇第一村", "address", "陕西省西安市****"),
        ("王明", "name", "王*"),
        ("王小明", "name", "王*明"),
        ("欧阳小明", "name", "欧**明"),
        ("", "phone", ""),
        (None, "phone", ""),
    ],
)
def test_masks(value, kind, shown):
    assert mask(value, kind) == shown


def test_personal_value_masks_by_its_own_kind():
    assert mask(Personal(PHONE, "phone")) == "138****5678"


def test_template_filter_masks():
    html = Template('{% load pii %}{{ p|mask:"phone" }} {{ n|mask }}').render(
        Context({"p": PHONE, "n": Personal("王小明", "name")})
    )
    assert html == "138****5678 王*明"


def staff_with(role):
    user = StaffFactory()
    if role:
        StaffMembership.objects.create(user=user, department=DepartmentFactory(), role=role)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["data_officer", "clerk"])
def test_reveal_gives_the_full_value_and_audits_without_it(role):
    person = PersonFactory()
    user = staff_with(role)
    assert reveal(user, person, "id_number", purpose="办理低保申请核对身份") == person.id_number
    record = AuditRecord.objects.get(action="pii.reveal")
    assert record.actor == user
    assert record.object_id == str(person.pk)
    assert "用途:办理低保申请核对身份" in record.note
    assert "id_number" in record.note
    text = f"{record.changes} {record.note} {record.object_repr}"
    assert person.id_number not in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["system_admin", "supervisor", None])
def test_reveal_is_denied_to_other_roles(role):
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        reveal(staff_with(role), person, "phone", purpose="想看看")
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


@pytest.mark.django_db
def test_approver_may_not_see_the_full_phone():
    with pytest.raises(PermissionDenied):
        reveal(staff_with("approver"), PersonFactory(), "phone", purpose="审批核对")


@pytest.mark.django_db
def test_reveal_needs_a_purpose():
    with pytest.raises(InvalidInput):
        reveal(staff_with("data_officer"), PersonFactory(), "phone", purpose=" ")


def test_log_filter_redacts_message_and_arguments(caplog):
    caplog.handler.addFilter(RedactFilter())
    logger = logging.getLogger("tongban.test")
    with caplog.at_level(logging.INFO):
        logger.info("applicant %s phone %s", ID_NUMBER, PHONE)
        logger.info(f"inline id{ID_NUMBER.lower()} and tel:+86{PHONE}")
        logger.info("named %(who)s", {"who": Personal("王小明", "name")})
        logger.info("address %s", Personal("周至县哑柏镇第一村3组12号", "address"))
    text = caplog.text
    assert ID_NUMBER not in text and ID_NUMBER.lower() not in text and PHONE not in text
    assert "110105********002X" in text and "138****5678" in text
    assert "王*明" in text and "王小明" not in text
    assert "周至县哑柏镇****" in text and "3组12号" not in text


def test_log_filter_redacts_exceptions(caplog):
    caplog.handler.addFilter(RedactFilter())
    try:
        raise ValueError(f"bad number {ID_NUMBER}")
    except ValueError:
        logging.getLogger("tongban.test").exception("failed")
    assert ID_NUMBER not in caplog.text


def test_configured_console_handler_redacts():
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logging.getLogger("tongban.test").warning("citizen %s called from %s", ID_NUMBER, PHONE)
    finally:
        handler.setStream(old)
    assert "citizen 110105********002X called from 138****5678" in stream.getvalue()
    assert PHONE not in stream.getvalue()


def test_production_refuses_to_start_without_pii_keys(settings):
    settings.PII_KEYS, settings.PII_ACTIVE_KEY, settings.PII_INDEX_KEY = {}, "", ""
    ids = {error.id for error in checks._settings_errors()}
    assert "tongban.E004" in ids


def test_production_accepts_explicit_keys(settings):
    settings.PII_KEYS = {"k1": NEW_KEY}
    settings.PII_ACTIVE_KEY = "k1"
    settings.PII_INDEX_KEY = base64.b64encode(b"i" * 32).decode()
    assert "tongban.E004" not in {error.id for error in checks._settings_errors()}
