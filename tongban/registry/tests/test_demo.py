import time

import pytest
from stdnum.cn import uscc as stdnum_uscc

from tongban.audit.models import AuditRecord
from tongban.catalog.formdefs import id_number_error
from tongban.org.validators import validate_uscc
from tongban.registry import demo
from tongban.registry.models import LegalEntity, Person
from tongban.registry.services import sex_from_id_number

pytestmark = pytest.mark.django_db


def test_demo_loads_valid_people_and_entities_once():
    started = time.perf_counter()
    summary = demo.load()
    seconds = time.perf_counter() - started
    assert seconds < 60
    assert demo.is_loaded()
    assert (summary.persons, summary.created_persons) == (Person.objects.count(), 5_000)
    assert LegalEntity.objects.count() == summary.entities >= 1_000
    people = list(Person.objects.all())
    for person in people:
        assert person.id_number.startswith("610124")
        assert id_number_error(person.id_number) is None, person.pk
        assert person.sex == sex_from_id_number(person.id_number)
        assert f"{person.birth_date:%Y%m%d}" == person.id_number[6:14]
        assert "周至县" in person.address and len(person.phone) == 11
    assert len({p.name for p in people}) > 2_000
    for entity in LegalEntity.objects.all():
        validate_uscc(entity.uscc)
        assert id_number_error(entity.legal_rep_id_number) is None
    types = set(LegalEntity.objects.values_list("entity_type", flat=True))
    assert {"individual", "cooperative", "collective", "enterprise"} <= types
    assert LegalEntity.objects.filter(name__contains="猕猴桃专业合作社").exists()

    again = demo.load()
    assert (again.created_persons, again.created_entities) == (0, 0)
    assert Person.objects.count() == 5_000
    assert AuditRecord.objects.filter(action="registry.demo.load").count() == 2


def test_village_collectives_use_the_letter_department_code_that_stdnum_rejects():
    demo.load()
    codes = list(
        LegalEntity.objects.filter(entity_type="collective").values_list("uscc", flat=True)
    )
    assert len(codes) == 100
    for code in codes:
        assert code.startswith("N2610124")
        validate_uscc(code)  # the standard allows it
        assert not stdnum_uscc.is_valid(code)  # python-stdnum does not
