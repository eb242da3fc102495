"""The second sign-in step: an authenticator app (TOTP), passkeys (WebAuthn), recovery codes.

Built on django-otp's Device with its ThrottlingMixin; see models.py for why the devices are
our own models rather than django-otp's TOTPDevice and StaticDevice.
"""
