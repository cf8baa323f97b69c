"""What a signing provider does for the platform (docs/signing.md, "Production").

A provider issues a seal's keys and certificate, signs with them, and names the roots a
verifier trusts. The platform keeps what the provider returns (``IssuedSeal``) on the
``Seal`` row: certificates and public keys in clear, ``key_ref``/``sm2_key_ref`` opaque to
everyone but the provider (an encrypted key for ``local``, an HSM key label for a PKCS#11
provider, an account id at the province's CA).
"""

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass

from pyhanko.sign.signers import Signer


@dataclass(frozen=True)
class SealRequest:
    """What a seal's certificate says: subject and validity."""

    common_name: str
    organization: str
    uscc: str
    valid_from: datetime.datetime
    valid_to: datetime.datetime


@dataclass(frozen=True)
class IssuedSeal:
    serial: str
    certificate_pem: str
    key_ref: str
    sm2_public_key_pem: str
    sm2_key_ref: str
    valid_from: datetime.datetime
    valid_to: datetime.datetime


class SigningProvider(ABC):
    name = ""

    def __init__(self, config: dict | None = None):
        self.config = config or {}

    @abstractmethod
    def issue_seal(self, request: SealRequest) -> IssuedSeal:
        """New key pairs (P-256 for PDFs, SM2 for data) and the seal's certificate."""

    @abstractmethod
    def pdf_signer(self, seal) -> Signer:
        """A pyHanko signer for ``seal`` carrying its certificate chain (cached by the
        provider: asked for on every signature)."""

    @abstractmethod
    def sm2_sign(self, seal, data: bytes) -> bytes:
        """SM2-with-SM3 signature (DER r, s; ID 1234567812345678) of ``data``."""

    @abstractmethod
    def root_certificates_pem(self) -> list[str]:
        """The roots a signature must chain to, PEM; the first is the current one."""

    @abstractmethod
    def chain_pem(self) -> list[str]:
        """The CA certificates between a seal's certificate and the root, root included."""
