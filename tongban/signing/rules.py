"""Who may see and act on seals and the CA.

- The system administrator sees the CA's certificates, the seals and their use log, and
  revokes a seal (a compromised key, a dissolved department).
- Signing itself is no person's action: the services that produce documents (licenses,
  results) call ``services.sign_pdf`` after their own checks.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role


def _system_admin(user, obj) -> bool:
    return Role.SYSTEM_ADMIN in access.roles(user)


access.rule("signing.view")(_system_admin)
access.rule("signing.revoke_seal")(_system_admin)
