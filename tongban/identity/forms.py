"""The staff sign-in form: password and the 6-digit code of a TOTP device, with lock-out.

django-otp's admin form does the verifying; this one adds Chinese wording, picks the
account's TOTP device (staff hold one, so the page needs no device list), refuses accounts
without a device, and counts failures (tongban.identity.signin).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm

from tongban.identity import signin, throttles


class StaffLoginForm(OTPAdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("动态验证码"),
        required=False,
        max_length=6,
        help_text=_("身份验证器应用中显示的 6 位数字"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 6}
        ),
    )

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "locked": _("该账号因连续 %(count)d 次登录失败已被锁定,请于 %(until)s 后再试。"),
        "address_blocked": _("该网络地址登录失败次数过多,请稍后再试。"),
        "not_enrolled": _(
            "该账号尚未绑定动态验证码(TOTP),无法登录管理后台。请联系系统管理员为您开通。"
        ),
    }
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("请输入 6 位动态验证码。"),
        "invalid_token": _("动态验证码错误,请核对身份验证器中的当前数字后重试。"),
        "n_failed_attempts": _("动态验证码错误次数过多,请稍后再试。"),
        "verification_not_allowed": _("暂时无法验证动态验证码,请稍后再试。"),
        "device_required": _("请选择验证设备。"),
    }

    def clean(self):
        wait = throttles.SIGN_IN.blocked(self.request)
        if wait is not None:  # one address trying many usernames (identity.throttles)
            raise ValidationError(self.error_messages["address_blocked"], code="address_blocked")
        username = self.cleaned_data.get("username")
        if username:
            self._refuse_if_locked(signin.locked_until(username))
        try:
            # Username and password (a wrong one fires user_login_failed, which counts it),
            # then AdminAuthenticationForm's staff check.
            self.cleaned_data = super(OTPAdminAuthenticationForm, self).clean()
        except ValidationError:
            if username:
                self._refuse_if_locked(signin.locked_until(username))
            raise
        user = self.get_user()
        if user is None:  # a required field was left empty; its error says so
            return self.cleaned_data
        device = signin.totp_device(user)
        if device is None:
            raise ValidationError(self.error_messages["not_enrolled"], code="not_enrolled")
        if not self.cleaned_data.get("otp_device"):
            self.cleaned_data["otp_device"] = device.persistent_id
        try:
            self.clean_otp(user)
        except ValidationError:
            # A code that was entered and not accepted (wrong, or django-otp's throttle after
            # a wrong one) is a failure; a missing code only asks for it.
            if self.cleaned_data.get("otp_token"):
                self._refuse_if_locked(signin.record_failure(username, request=self.request))
            raise
        return self.cleaned_data

    def _update_form(self, user):
        # django-otp would fill in a device list (this page has none) and echo the password
        # back into the page for the next try; neither is wanted here.
        pass

    def _refuse_if_locked(self, until):
        if until is None:
            return
        raise ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={
                "count": signin.LOCKOUT_THRESHOLD,
                "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
            },
        )


# Person pages -----------------------------------------------------------------------------

PHONE_ATTRS = {"autocomplete": "tel", "inputmode": "tel", "maxlength": 13}


class PhoneCodeForm(forms.Form):
    """/login/: the phone, then the 6-digit code sent to it (``accounts``)."""

    phone = forms.CharField(
        label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=_("短信验证码"),
        required=False,
        max_length=6,
        help_text=_("短信中的 6 位数字"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 6}
        ),
    )


class PhonePasswordForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少 8 位,不能全是数字,不能过于常见"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class RealNameForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=20,
        help_text=_("18 位,末位可能是 X"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class EnrollForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=20)


class AgentForm(forms.Form):
    phone = forms.CharField(
        label=_("经办人手机号码"),
        max_length=20,
        help_text=_("经办人须已注册并完成 L2 及以上实名认证"),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    scopes = forms.MultipleChoiceField(
        label=_("授权范围"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("授权截止日期"),
        help_text=_("最长一年"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        from tongban.identity.models import Agent

        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = Agent.Scope.choices


class FindAccountForm(forms.Form):
    """/workbench/realname/: the clerk finds the account by the phone the person gives."""

    phone = forms.CharField(
        label=_("申请人手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )


class InPersonForm(RealNameForm):
    """The details read from the ID card the person shows at the window."""

    phone = forms.CharField(widget=forms.HiddenInput)
    window = forms.ModelChoiceField(label=_("核验窗口"), queryset=None, empty_label=None)
    confirmed = forms.BooleanField(
        label=_("已当面核对身份证原件,人证一致"),
        error_messages={"required": _("请确认已当面核对身份证原件")},
    )

    def __init__(self, *args, windows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows
