"""Who may see and act on which license (``tongban.identity.access`` rules).

The wallet's rules (holders, verifiers) live in ``wallet_rules``, imported here.
"""

from tongban.licenses import wallet_rules  # noqa: F401
