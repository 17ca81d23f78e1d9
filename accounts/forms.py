from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.demo import demo_login_choices


class DemoLoginForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=demo_login_choices(),
        to_field_name="username",
        label=_("데모 학생"),
        error_messages={
            "required": _("데모 학생을 골라 주세요."),
            "invalid_choice": _("데모 학생 목록에 없는 사용자예요."),
        },
    )
