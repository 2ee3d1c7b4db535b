"""Who may log in on whose behalf at one application, and the chooser that lets the person pick.

Reads the mandates store and the application's policy; knows nothing of SAML.
"""
