"""Forms of the my page: the profile's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partner42.text import validate_nickname


class NicknameForm(forms.Form):
    # The service normalises and checks again; the validator puts the reason on the field early.
    nickname = forms.CharField(
        label=_("닉네임"), max_length=20, min_length=2, strip=True, validators=[validate_nickname]
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("이메일"), max_length=254)
