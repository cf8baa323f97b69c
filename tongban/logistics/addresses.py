"""Postal addresses: split, checked field by field, Chinese first.

A courier needs province / city / county / detail, a recipient and a mobile number. Cases
keep the address the applicant typed at submission as one line ("周至县二曲街道文昌路88号");
``parse`` splits such a line, filling 陕西省 西安市 for an address in the county (which
people leave out), and ``validate`` checks the parts. An address in 周至县 must name its
town or street (镇/街道): couriers sort by it.
"""

import re
from dataclasses import asdict, dataclass

from tongban.errors import InvalidInput

PHONE = re.compile(r"^1\d{10}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
NAME = re.compile(r"^[\u4e00-\u9fa5A-Za-z·•.\s]{2,30}$")
COUNTY = "周至县"
CITY = "西安市"
PROVINCE = "陕西省"
# Zhouzhi's towns and streets (cn-standards.md; tongban.org.demo.TOWNS holds their codes).
TOWNS = (
    "二曲街道", "哑柏镇", "终南镇", "马召镇", "集贤镇", "楼观镇", "尚村镇", "广济镇",
    "厚畛子镇", "青化镇", "竹峪镇", "翠峰镇", "四屯镇", "司竹镇", "九峰镇", "富仁镇",
    "骆峪镇", "陈河镇", "板房子镇", "王家河镇",
)  # fmt: skip
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
LINE = re.compile(
    r"^(?P<province>北京市|天津市|上海市|重庆市|[^\d\s]{2,8}?(?:省|自治区|特别行政区))?"
    r"(?P<city>[^\d\s]{2,10}?(?:自治州|地区|盟|市))?"
    r"(?P<county>[^\d\s]{1,10}?(?:县|区|旗|市))?"
    r"(?P<detail>.*)$"
)
LIMITS = {"province": 20, "city": 20, "county": 20, "detail": 120}
LABELS = {
    "province": ("省(自治区、直辖市)", "province"),
    "city": ("市(州)", "city"),
    "county": ("区(县)", "county"),
    "detail": ("详细地址", "street address"),
}


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    county: str
    detail: str

    @property
    def full(self) -> str:
        city = "" if self.city == self.province else self.city  # 上海市上海市 → 上海市
        return f"{self.province}{city}{self.county}{self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: Address

    def as_dict(self) -> dict:
        return {"name": self.name, "phone": self.phone, **self.address.as_dict()}


def parse(line: str) -> Address:
    """Split one typed line; the parts it lacks stay "" (``validate`` says which)."""
    text = re.sub(r"\s+", "", str(line or ""))
    match = LINE.match(text)
    parts = {k: v or "" for k, v in match.groupdict().items()} if match else {"detail": text}
    province, city, county = parts.get("province", ""), parts.get("city", ""), parts["county"]
    detail = parts["detail"]
    if not county and any(text.startswith(town) for town in TOWNS):
        county, detail = COUNTY, text
    if county == COUNTY:
        province, city = province or PROVINCE, city or CITY
    if province in MUNICIPALITIES and not city:
        city = province
    return Address(province, city, county, detail)


def address_errors(address: Address, *, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, limit in LIMITS.items():
        value = getattr(address, field)
        zh, en = LABELS[field]
        if not value:
            errors[prefix + field] = [f"请填写{zh} / {en} is required"]
        elif len(value) > limit:
            errors[prefix + field] = [f"{zh}不超过{limit}个字 / at most {limit} characters"]
    detail = address.detail
    if detail and prefix + "detail" not in errors:
        if len(detail) < 4:
            errors[prefix + "detail"] = [
                "详细地址过短,请写明镇(街道)、村(小区)和门牌号 / street address too short"
            ]
        elif address.county == COUNTY and not any(town in detail for town in TOWNS):
            errors[prefix + "detail"] = [
                "周至县内的地址请写明镇(街道),如“哑柏镇”"
                " / name the town or street within Zhouzhi County"
            ]
    return errors


def party_errors(name: str, phone: str, *, prefix: str = "", landline=False) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors[prefix + "name"] = ["请填写姓名 / name is required"]
    elif not NAME.match(name):
        errors[prefix + "name"] = ["姓名应为2至30个汉字或字母 / 2 to 30 letters"]
    phone = re.sub(r"\s", "", phone or "")
    if not phone:
        errors[prefix + "phone"] = ["请填写手机号码 / mobile number is required"]
    elif not (PHONE.match(phone) or (landline and LANDLINE.match(phone))):
        errors[prefix + "phone"] = ["手机号码应为以1开头的11位数字 / 11 digits starting with 1"]
    return errors


def party(name: str, phone: str, address: Address, *, prefix: str = "") -> Party:
    """A checked party, or ``InvalidInput`` naming every field at fault."""
    errors = {**party_errors(name, phone, prefix=prefix), **address_errors(address, prefix=prefix)}
    if errors:
        raise InvalidInput(fields=errors)
    return Party(name.strip(), re.sub(r"\s", "", phone), address)


def from_fields(data: dict, *, prefix: str = "") -> Address:
    """An address from separate form or API fields (``province``, ``city``, …)."""
    return Address(*(str(data.get(prefix + f) or "").strip() for f in LIMITS))
