"""Test data for licenses: license types of the catalog and licenses, built straight into the
register (no PDF, no signatures) so tests of the wallet and the verification API stay fast.

    license_type = LicenseTypeFactory()            # a person license type, 5 years
    lic = LicenseFactory()                         # valid, held by a person account
    lic = LicenseFactory(enterprise=True)          # held by an enrolled enterprise
    lic = LicenseFactory(holder_user=user)         # held by ``user``

``issued_license(case)`` goes through ``issuance.issue_for_case`` instead (render + sign).
"""

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from tongban.core import clock
from tongban.identity.tests.factories import enterprise_of
from tongban.licenses import identifiers
from tongban.licenses.models import HOLDER_CODE_TYPES, HolderType, License, LicenseType
from tongban.org.tests.factories import DepartmentFactory, UserFactory
from tongban.org.validators import make_uscc
from tongban.registry.tests.factories import person_id_number

_holders = itertools.count(1)


def authority_uscc(n: int) -> str:
    """The USCC of a license-defining authority (a national ministry, division 100000)."""
    return make_uscc("1", "1", "100000", f"LA{n:06d}")


def type_code(n: int, *, authority: str | None = None) -> str:
    return (authority or authority_uscc(n // 1000)) + f"{n % 1000:03d}"


class LicenseTypeFactory(DjangoModelFactory):
    class Meta:
        model = LicenseType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: type_code(n + 1))
    name = factory.Sequence(lambda n: f"测试许可证{n}")
    authority_name = "国家市场监督管理总局"
    authority_code = factory.LazyAttribute(lambda o: o.code[: identifiers.USCC_LENGTH])
    holder_type = HolderType.PERSON
    validity_years = 5
    fields = factory.LazyFunction(
        lambda: [
            {"key": "holder", "label": "持证人", "source": "holder.name"},
            {"key": "purpose", "label": "许可事项", "source": "form.purpose"},
        ]
    )


def _person_holder():
    return UserFactory(
        id_number=person_id_number(700_000 + next(_holders)),
        last_name="李",
        first_name="持证",
    )


class LicenseFactory(DjangoModelFactory):
    """A valid license version 1 in the register, without a PDF or signatures."""

    class Meta:
        model = License
        exclude = ("enterprise",)

    class Params:
        enterprise = factory.Trait(
            holder_type=HolderType.ENTERPRISE,
            holder_user=None,
            holder_enterprise=factory.LazyFunction(lambda: enterprise_of(_person_holder())),
            holder_name=factory.LazyAttribute(lambda o: o.holder_enterprise.legal_entity.name),
            holder_code=factory.LazyAttribute(lambda o: o.holder_enterprise.legal_entity.uscc),
            license_type=factory.SubFactory(LicenseTypeFactory, holder_type=HolderType.ENTERPRISE),
        )

    license_type = factory.SubFactory(LicenseTypeFactory)
    issuer = factory.SubFactory(DepartmentFactory)
    serial = factory.Sequence(lambda n: f"T{n:09d}")
    version = 1
    identifier = factory.LazyAttribute(
        lambda o: identifiers.build(o.license_type.code, o.issuer.uscc, o.serial, o.version)
    )
    number = factory.LazyAttribute(lambda o: f"测{o.serial}")
    holder_type = HolderType.PERSON
    holder_user = factory.LazyFunction(_person_holder)
    holder_enterprise = None
    holder_name = factory.LazyAttribute(lambda o: o.holder_user.get_full_name())
    holder_code = factory.LazyAttribute(lambda o: str(o.holder_user.id_number))
    holder_code_type = factory.LazyAttribute(lambda o: HOLDER_CODE_TYPES[o.holder_type])
    issued_on = factory.LazyFunction(clock.today)
    valid_from = factory.LazyAttribute(lambda o: o.issued_on)
    valid_to = factory.LazyAttribute(
        lambda o: o.valid_from + datetime.timedelta(days=365 * 5) if o.valid_from else None
    )
    surface = factory.LazyAttribute(lambda o: {"holder": o.holder_name, "purpose": "测试许可"})
    status = License.Status.VALID


def bound_type(item, **overrides) -> LicenseType:
    """A license type issued for ``item`` (a ``cases.tests.factories.form_item``), its
    surface taken from that item's form (``purpose``) and the holder."""
    license_type = LicenseTypeFactory(
        name=overrides.pop("name", "测试经营许可证"),
        fields=[
            {"key": "holder", "label": "持证人", "source": "holder.name"},
            {"key": "purpose", "label": "许可事项", "source": "form.purpose"},
            {"key": "address", "label": "住所", "source": "form.address"},
        ],
        layout={"number_prefix": "CS"},
        **overrides,
    )
    license_type.items.add(item)
    return license_type


def concluded_case(item, *, applicant=None, **filing):
    """A case of ``item`` accepted, approved and concluded with a license result (the
    conclusion's on-commit signal is not run: wrap in
    ``django_capture_on_commit_callbacks(execute=True)`` to issue through the handler)."""
    from tongban.cases import results, services
    from tongban.cases.models import DeliveryMethod, ResultType
    from tongban.cases.tests.factories import (
        applicant_person,
        approver_of,
        clerk_of,
        file_case,
    )

    case = file_case(item, applicant or applicant_person(), **filing)
    case = services.accept(case, by=clerk_of(item))
    approver = approver_of(item)
    case = services.approve(case, by=approver)
    return results.conclude_with_result(
        case, by=approver, result_type=ResultType.LICENSE, delivery=DeliveryMethod.ELECTRONIC
    )
