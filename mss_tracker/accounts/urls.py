"""django-mfa's pages, under /admin/second-factor/, without its passwordless sign-in.

The library's passkey_begin/passkey_complete sign a user in with a passkey alone, past the
admin's login form and so past django-axes' attempt limits; the tracker asks for a
password and then a second factor, so those two are not mounted. A security key or passkey
still serves as the second factor where WEBAUTHN_RP_ID is set.
"""

from django.urls import path
from django_mfa.views import enroll, manage, picker, verify

app_name = "mfa"

urlpatterns = [
    path("security/", manage.security_settings, name="security_settings"),
    path("manage/", manage.manage_factors, name="manage"),
    path("verify/", picker.verify, name="verify"),
    path("verify/<str:factor_type>/", verify.verify_factor, name="verify_factor"),
    path("enroll/<str:factor_type>/", enroll.enroll_factor, name="enroll_factor"),
    path("recovery/codes/", manage.recovery_codes, name="recovery_codes"),
]
