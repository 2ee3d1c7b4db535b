"""One exception for every refused SAML message, with a reason safe to show."""


class SamlError(Exception):
    """A SAML message or request the broker refuses.

    `reason` is a short, user-safe sentence (English, shown translated on the error page and in
    the audit trail); `detail` is for the log only.
    """

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
