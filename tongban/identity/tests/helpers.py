"""Signing staff in from tests.

The admin site wants a session verified by a TOTP device (tongban.admin_site), which
``client.force_login`` alone does not give: ``verified_login`` does both, as
``django_otp.login`` would after a real sign-in with password and code.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.identity import signin


def totp_device_for(user) -> TOTPDevice:
    """The user's confirmed TOTP device, enrolled now if there is none."""
    return signin.totp_device(user) or TOTPDevice.objects.create(
        user=user, name="测试设备", confirmed=True
    )


def verified_login(client, user) -> TOTPDevice:
    """``client.force_login(user)`` with the session marked verified by the user's device."""
    device = totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
