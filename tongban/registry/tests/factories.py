"""Test data for the registries: valid Zhouzhi ID numbers and credit codes from sequences."""

import datetime

import factory
from factory.django import DjangoModelFactory

from tongban.org.validators import make_uscc
from tongban.registry.demo import id_number
from tongban.registry.models import LegalEntity, Person


def person_id_number(n: int, *, male: bool = True) -> str:
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 10_000)
    return id_number(birth, (n // 10_000 % 500) * 2 + (1 if male else 0))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    id_number = factory.Sequence(person_id_number)
    name = factory.Sequence(lambda n: f"测试{'一二三四五六七八九十'[n % 10]}明")
    sex = Person.Sex.MALE
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(
            int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14])
        )
    )
    address = "陕西省西安市周至县哑柏镇第一村3组12号"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    division = "610124101201"


class LegalEntityFactory(DjangoModelFactory):
    class Meta:
        model = LegalEntity

    uscc = factory.Sequence(lambda n: make_uscc("9", "1", "610124", f"MT{n:06d}"))
    name = factory.Sequence(lambda n: f"周至县测试{n}猕猴桃果业有限公司")
    entity_type = LegalEntity.Type.ENTERPRISE
    legal_rep_name = "王建国"
    legal_rep_id_number = factory.Sequence(lambda n: person_id_number(n + 50_000))
