"""X.509 certificates of the county CA and the seals (ECDSA P-256 with SHA-256).

P-256, not SM2: the PDF readers that check signatures (poppler/NSS, Adobe, pyHanko) do not
know SM2 certificates. Seals carry an SM2 key pair besides, for the national-crypto
signatures of data (``services.sm2_sign``).
"""

import datetime
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Issued certificates start a little in the past: a verifier whose clock lags a few minutes
# must not see "not yet valid".
BACKDATE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Subject:
    common_name: str
    organization: str
    unit: str = ""
    serial_number: str = ""

    def name(self) -> x509.Name:
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization),
        ]
        if self.unit:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit))
        if self.serial_number:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, self.serial_number))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, self.common_name))
        return x509.Name(attributes)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_der(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_key(der: bytes) -> ec.EllipticCurvePrivateKey:
    return serialization.load_der_private_key(der, password=None)


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def load_pem(text: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(text.encode())


def asn1(text: str) -> asn1_x509.Certificate:
    """A PEM certificate as asn1crypto's object (what pyHanko takes)."""
    return asn1_x509.Certificate.load(load_pem(text).public_bytes(serialization.Encoding.DER))


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def root(subject: Subject, key, *, start: datetime.datetime, end: datetime.datetime):
    """The self-signed root: a CA that may sign one level of CAs below it."""
    builder = _builder(subject.name(), subject.name(), key.public_key(), start, end)
    builder = _as_ca(builder, path_length=1, public_key=key.public_key(), issuer_key=key)
    return builder.sign(key, hashes.SHA256())


def issuing(subject: Subject, key, *, parent, parent_key, start, end) -> x509.Certificate:
    """The issuing CA, signed by the root; it signs the seals' certificates only."""
    builder = _builder(subject.name(), parent.subject, key.public_key(), start, end)
    builder = _as_ca(builder, path_length=0, public_key=key.public_key(), issuer_key=parent_key)
    return builder.sign(parent_key, hashes.SHA256())


def seal(subject: Subject, public_key, *, parent, parent_key, start, end) -> x509.Certificate:
    """A seal's signing certificate: digital signature and non-repudiation (PAdES)."""
    builder = _builder(subject.name(), parent.subject, public_key, start, end)
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(parent_key, hashes.SHA256())


def _builder(subject, issuer, public_key, start, end) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - BACKDATE)
        .not_valid_after(end)
    )


def _as_ca(builder, *, path_length: int, public_key, issuer_key) -> x509.CertificateBuilder:
    return (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
