import pytest
from django.db import connection

from tongban.audit.models import AuditRecord
from tongban.errors import InvalidInput
from tongban.org.validators import make_uscc
from tongban.registry import services
from tongban.registry.models import LegalEntity, Person
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory, person_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = person_id_number(7)
PHONE = "13912345678"


def create(**values):
    return services.create_person(
        "test",
        **{
            "id_number": ID_NUMBER,
            "name": "王小明",
            "address": "陕西省西安市周至县哑柏镇第一村3组12号",
            "phone": PHONE,
            **values,
        },
    )


def test_raw_table_holds_no_plaintext_id_number_or_phone():
    create()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address, id_number_hash FROM registry_person")
        row = cursor.fetchone()
    text = " ".join(str(value) for value in row)
    assert ID_NUMBER not in text and ID_NUMBER[:14] not in text
    assert PHONE not in text
    assert "哑柏镇" not in text
    assert row[0].startswith("v1:sm4:")


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_plaintext_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the file scan is for SQLite; the raw-table test covers PostgreSQL")
    create()
    copy = tmp_path / "copy.sqlite3"
    # The test database lives in memory: write its pages to a file (outside a transaction).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    data = copy.read_bytes()
    assert "王小明".encode() in data  # the copy is real: names are kept in clear
    assert ID_NUMBER.encode() not in data
    assert PHONE.encode() not in data
    assert "哑柏镇第一村3组".encode() not in data


def test_find_person_by_blind_index_ignores_case_and_spaces():
    number = next(n for n in (person_id_number(i) for i in range(200)) if n.endswith("X"))
    person = create(id_number=number.lower())
    assert person.id_number == number
    assert services.find_person(f" {number[:6]} {number[6:].lower()}") == person
    assert services.find_person(person_id_number(8)) is None


def test_find_persons_by_phone():
    person = create()
    assert list(services.find_persons_by_phone("+86 139-1234-5678")) == [person]


def test_sex_and_birth_date_come_from_the_id_number():
    female = person_id_number(9, male=False)
    person = create(id_number=female)
    assert person.sex == Person.Sex.FEMALE
    assert person.birth_date.isoformat() == f"{female[6:10]}-{female[10:12]}-{female[12:14]}"


def test_sex_contradicting_the_id_number_is_refused():
    with pytest.raises(InvalidInput) as error:
        create(sex=Person.Sex.FEMALE)
    assert "性别与身份证号码不符" in error.value.fields["sex"][0]


def test_duplicate_id_number_is_refused():
    create()
    with pytest.raises(InvalidInput) as error:
        create(name="李四")
    assert "已在人口库中" in error.value.fields["id_number"][0]


def test_audit_records_of_changes_are_masked():
    person = create()
    services.update_person(person, "test", phone="13700001111", address="周至县楼观镇某村")
    records = services.history(person)
    assert [r.action for r in records] == ["registry.person.create", "registry.person.update"]
    text = " ".join(f"{r.changes} {r.object_repr} {r.note}" for r in records)
    assert ID_NUMBER not in text and PHONE not in text and "13700001111" not in text
    assert records[1].changes["phone"] == ["139****5678", "137****1111"]
    assert records[1].changes["address"] == ["陕西省西安市****", "周至县楼观镇****"]
    assert "id_number_hash" not in records[0].changes


def test_change_hidden_by_the_mask_is_still_recorded():
    person = create()
    services.update_person(person, "test", phone="13912340678")
    change = services.history(person)[-1].changes["phone"]
    assert change == ["139****5678", "139****0678"]


@pytest.mark.parametrize(
    ("name", "number", "code", "words"),
    [
        (
            "王小明",
            ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"),
            "checksum",
            "身份证号码校验位错误",
        ),
        ("王小明", "61012419700101", "format", "应为18位"),
        ("王小明", person_id_number(8), "not_found", "人口库中没有"),
        ("王大明", ID_NUMBER, "name_mismatch", "姓名与身份证号码不一致"),
        ("王小明", ID_NUMBER.lower(), "match", "一致"),
    ],
)
def test_verify_person(name, number, code, words):
    create()
    result = services.verify_person(name, number)
    assert (result.ok, result.code) == (code == "match", code)
    assert words in result.message
    assert (result.person is not None) == result.ok


def test_entity_with_letter_department_code_is_created_and_found():
    code = make_uscc("N", "2", "610124", "MA000011")
    entity = services.create_entity(
        "test",
        uscc=code.lower(),
        name="周至县哑柏镇第一村股份经济合作社",
        entity_type=LegalEntity.Type.COLLECTIVE,
        legal_rep_name="王建国",
        legal_rep_id_number=ID_NUMBER,
    )
    assert services.find_entity(code) == entity
    assert entity.legal_rep_id_number == ID_NUMBER
    record = AuditRecord.objects.get(action="registry.entity.create")
    assert ID_NUMBER not in str(record.changes)


def test_entity_with_wrong_check_character_is_refused():
    code = LegalEntityFactory.build().uscc
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidInput) as error:
        services.create_entity(
            "test", uscc=wrong, name="x", entity_type="enterprise", legal_rep_name="王建国"
        )
    assert "校验位错误" in error.value.fields["uscc"][0]


def test_entity_update_is_audited_with_masked_representative():
    entity = LegalEntityFactory()
    services.update_entity(entity, "test", legal_rep_name="李建华", registered_capital="50")
    changes = services.history(entity)[-1].changes
    assert changes["legal_rep_name"] == ["王*国", "李*华"]
    assert changes["registered_capital"][1] == "50"


def test_factories_make_valid_people():
    person = PersonFactory()
    assert services.verify_person(person.name, person.id_number).ok
