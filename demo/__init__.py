"""The demo: a demo upstream authenticator and a demo application around the broker.

NOT FOR PRODUCTION: the demo authenticator lets anyone pick any test person.
"""
