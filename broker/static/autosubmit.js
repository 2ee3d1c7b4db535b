// Sends a SAML message on without a click; CSP forbids inline script, hence this file.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
