"""Personal data protection, used by every app (DESIGN.md §6, docs/security.md).

- ``crypto``: encryption at rest (SM4-GCM by default, AES-256-GCM selectable; the algorithm
  and key id travel in each token, so both stay readable and keys can rotate) and the keyed
  blind index for exact-match search;
- ``fields``: ``EncryptedTextField``, ``BlindIndexField``, ``PersonalCharField``;
- ``masking``: ``610124********1234``, ``138****5678``, ``王*明``, addresses cut short;
- ``logging``: ``RedactFilter``, installed on the root handlers in ``LOGGING``;
- ``reveal``: the full value for a role and purpose that allow it, every read audited.

This package is imported by the logging configuration before the app registry is ready, so
only the model-free parts are imported here; ``from tongban.core.pii.reveal import reveal``.
"""

from tongban.core.pii.crypto import blind_index, decrypt, encrypt, normalize
from tongban.core.pii.masking import Personal, mask

__all__ = ["Personal", "blind_index", "decrypt", "encrypt", "mask", "normalize"]
