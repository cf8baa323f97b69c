"""The county CA run by the platform: keys in the database, encrypted (``keystore``).

The root and the issuing CA are made on first use, once: their rows are unique by kind, so
two processes racing to make one keep the first committed and re-read it. Loaded keys and
signers are cached in-process by certificate serial (a serial never changes its key), so a
signature costs no decryption and no parsing after the first.
"""

import datetime
from functools import cached_property

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from pyhanko.sign import attributes, general
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tongban.core import clock
from tongban.signing import certificates, keystore, sm
from tongban.signing.certificates import Subject
from tongban.signing.models import Authority
from tongban.signing.providers.base import IssuedSeal, SealRequest, SigningProvider
from tongban.signing.providers.registry import register

YEAR = datetime.timedelta(days=365)


class FixedAttribute(attributes.CMSAttributeProvider):
    """A signed attribute whose value is the same for every signature of a seal."""

    def __init__(self, attribute_type: str, value):
        self.attribute_type = attribute_type
        self.value = value

    async def build_attr_value(self, dry_run=False):
        return self.value


class CachedKeySigner(SimpleSigner):
    """pyHanko's ``SimpleSigner``, made fast for many signatures with one seal.

    It keeps the loaded key (``SimpleSigner`` re-parses it on every signature; ECDSA P-256
    with SHA-256 only, which is all the seals use), builds the signing-certificate attribute
    once, and hands pyHanko parsed signed attributes: asn1crypto re-serialises freshly built
    structures on every dump, which cost two thirds of a signature (≈50/s → ≈145/s here).
    """

    def __init__(self, *, key: ec.EllipticCurvePrivateKey, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def _signed_attr_providers(self, *args, **kwargs):
        # The signing-certificate attribute never changes for a seal: built once.
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                yield self._certificate_attribute
            else:
                yield provider

    @cached_property
    def _certificate_attribute(self) -> "FixedAttribute":
        value = general.as_signing_certificate_v2(self.signing_cert, "sha256")
        return FixedAttribute("signing_certificate_v2", type(value).load(value.dump()))

    async def signed_attrs(self, *args, **kwargs) -> cms.CMSAttributes:
        # asn1crypto serialises a freshly built structure again on every dump, and pyHanko
        # dumps the signed attributes three times; a parsed copy dumps its bytes as they are.
        signed = await super().signed_attrs(*args, **kwargs)
        return cms.CMSAttributes.load(signed.dump())

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if digest_algorithm != "sha256":
            raise ValueError(f"seals sign with SHA-256, not {digest_algorithm}")
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))


@register("local")
class LocalProvider(SigningProvider):
    def __init__(self, config: dict | None = None):
        super().__init__(config)
        self._signers: dict[str, CachedKeySigner] = {}
        self._sm2_keys: dict[str, object] = {}

    # --- the CA --------------------------------------------------------------------------

    def authorities(self) -> tuple[Authority, Authority]:
        """(root, issuing), made on first use."""
        found = {a.kind: a for a in Authority.objects.all()}
        root = found.get(Authority.Kind.ROOT) or self._make_root()
        issuing = found.get(Authority.Kind.ISSUING) or self._make_issuing(root)
        return root, issuing

    def root_certificates_pem(self) -> list[str]:
        return [self.authorities()[0].certificate_pem]

    def chain_pem(self) -> list[str]:
        root, issuing = self.authorities()
        return [issuing.certificate_pem, root.certificate_pem]

    def _make_root(self) -> Authority:
        key = certificates.new_key()
        start = clock.now()
        subject = Subject(f"{settings.SIGNING_CA_NAME}根证书", settings.TONGBAN_COUNTY_NAME)
        end = start + settings.SIGNING_ROOT_YEARS * YEAR
        certificate = certificates.root(subject, key, start=start, end=end)
        return _store(Authority.Kind.ROOT, subject.common_name, certificate, key)

    def _make_issuing(self, root: Authority) -> Authority:
        key = certificates.new_key()
        start = clock.now()
        subject = Subject(f"{settings.SIGNING_CA_NAME}签发证书", settings.TONGBAN_COUNTY_NAME)
        end = min(start + settings.SIGNING_ISSUING_YEARS * YEAR, root.valid_to)
        certificate = certificates.issuing(
            subject,
            key,
            parent=certificates.load_pem(root.certificate_pem),
            parent_key=_key(root.key_ref),
            start=start,
            end=end,
        )
        return _store(Authority.Kind.ISSUING, subject.common_name, certificate, key)

    # --- seals ---------------------------------------------------------------------------

    def issue_seal(self, request: SealRequest) -> IssuedSeal:
        _root, issuing = self.authorities()
        key = certificates.new_key()
        sm2_key = sm.new_key()
        subject = Subject(request.common_name, request.organization, request.uscc, request.uscc)
        certificate = certificates.seal(
            subject,
            key.public_key(),
            parent=certificates.load_pem(issuing.certificate_pem),
            parent_key=_key(issuing.key_ref),
            start=request.valid_from,
            end=min(request.valid_to, issuing.valid_to),
        )
        return IssuedSeal(
            serial=certificates.serial_hex(certificate),
            certificate_pem=certificates.pem(certificate),
            key_ref=keystore.seal(certificates.key_der(key)),
            sm2_public_key_pem=sm.public_pem(sm2_key),
            sm2_key_ref=keystore.seal(sm.key_der(sm2_key)),
            valid_from=certificate.not_valid_before_utc,
            valid_to=certificate.not_valid_after_utc,
        )

    def pdf_signer(self, seal) -> CachedKeySigner:
        signer = self._signers.get(seal.serial)
        if signer is None:
            signer = self._signers[seal.serial] = self._load_signer(seal)
        return signer

    def sm2_sign(self, seal, data: bytes) -> bytes:
        key = self._sm2_keys.get(seal.serial)
        if key is None:
            key = self._sm2_keys[seal.serial] = sm.load_key(keystore.unseal(seal.sm2_key_ref))
        return sm.sign(key, data)

    def _load_signer(self, seal) -> CachedKeySigner:
        der = keystore.unseal(seal.key_ref)
        chain = [certificates.asn1(text) for text in self.chain_pem()]
        return CachedKeySigner(
            key=certificates.load_key(der),
            signing_cert=certificates.asn1(seal.certificate_pem),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )


def _store(kind: str, name: str, certificate, key) -> Authority:
    try:
        with transaction.atomic():
            return Authority.objects.create(
                kind=kind,
                name=name,
                serial=certificates.serial_hex(certificate),
                certificate_pem=certificates.pem(certificate),
                key_ref=keystore.seal(certificates.key_der(key)),
                valid_from=certificate.not_valid_before_utc,
                valid_to=certificate.not_valid_after_utc,
            )
    except IntegrityError:
        # Another process made it first: theirs is the CA.
        return Authority.objects.get(kind=kind)


def _key(key_ref: str) -> ec.EllipticCurvePrivateKey:
    return certificates.load_key(keystore.unseal(key_ref))
