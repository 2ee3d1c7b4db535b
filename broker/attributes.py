"""The attributes the broker asserts, under one documented vocabulary.

The names follow the Dutch eHerkenning / DigiD Machtigen convention: the person at the keyboard is
the ActingSubject (mandaatuitvoerder), the represented party the LegalSubject (mandaatgever), the
intermediary the IntermediateSubject (mandaatnemer). README.md documents each one.
"""

PREFIX = "urn:mandaatbroker:1.0:"

# Identifier types: the Belgian federal URNs for a national register / BIS number and a KBO number.
ID_TYPE_PERSON = "urn:be:fgov:person:ssin"
ID_TYPE_ORGANISATION = "urn:be:fgov:kbo-bce:organization:cbe-number"

# key -> meaning; the SAML Attribute Name is PREFIX + key unless a policy renames it.
VOCABULARY = {
    "ActingSubjectID": "national register or BIS number of the person who logs in (mandaatuitvoerder)",
    "ActingSubjectIDType": f"always {ID_TYPE_PERSON}",
    "ActingSubjectName": "full name of the person who logs in",
    "LegalSubjectID": "number of the party on whose behalf the person acts (mandaatgever); "
    "the person themself for an own-name login",
    "LegalSubjectIDType": f"{ID_TYPE_PERSON} or {ID_TYPE_ORGANISATION}",
    "LegalSubjectKind": "person or organisation",
    "LegalSubjectName": "name of the represented party",
    "IntermediateSubjectID": "KBO or national number of the mandate taker (mandaatnemer); only for a mandate login",
    "IntermediateSubjectIDType": f"{ID_TYPE_PERSON} or {ID_TYPE_ORGANISATION}",
    "IntermediateSubjectName": "name of the mandate taker",
    "MandateID": "technical identification number of the mandate",
    "MandateType": "code of the mandate type, e.g. WSE Loket",
    "MandateValidFrom": "first day the mandate is valid (yyyy-mm-dd)",
    "MandateValidUntil": "last day the mandate is valid (yyyy-mm-dd); absent when indefinite",
    "LoginKind": "own_name, work_relationship, mandate or legal_representative",
}


def saml_name(key: str) -> str:
    return PREFIX + key
