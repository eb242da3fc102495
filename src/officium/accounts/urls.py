from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from officium.accounts import views
from officium.accounts.mfa import views as mfa_views
from officium.accounts.password_reset import OutboxPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/confirm/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", mfa_views.login_verify, name="login_verify"),
    path("accounts/login/passkey/options/", mfa_views.login_passkey_options, name="login_passkey_options"),
    path("accounts/login/passkey/", mfa_views.login_passkey, name="login_passkey"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        form_class=OutboxPasswordResetForm, template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/security/", views.security, name="security"),
    path("accounts/security/two-step/", mfa_views.settings_page, name="mfa"),
    path("accounts/security/two-step/passkeys/options/", mfa_views.passkey_options,
         name="passkey_options"),
    path("accounts/security/two-step/passkeys/", mfa_views.passkey_add, name="passkey_add"),
    path("accounts/security/two-step/passkeys/<int:passkey_id>/remove/", mfa_views.passkey_remove,
         name="passkey_remove"),
    path("accounts/cancel/", views.cancel_account, name="cancel_account"),
    path("accounts/security/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("accounts/invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("o/<slug:org>/", views.DashboardView.as_view(), name="dashboard"),
    path("o/<slug:org>/members/", views.MembersView.as_view(), name="members"),
    path("o/<slug:org>/settings/", views.OrganizationSettingsView.as_view(), name="organization_settings"),
    path("o/<slug:org>/logo/", views.LogoView.as_view(), name="logo"),
    path("o/<slug:org>/terminate/", views.TerminateOrganizationView.as_view(), name="terminate"),
    path("o/<slug:org>/members/invite/", views.InviteView.as_view(), name="invite"),
    path("o/<slug:org>/members/<int:member_id>/", views.MemberView.as_view(), name="member"),
    path("o/<slug:org>/members/<int:member_id>/remove/", views.RemoveMemberView.as_view(),
         name="remove_member"),
]
