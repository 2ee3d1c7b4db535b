"""Small helpers shared by the policy tests."""


def policy_text(entity_id: str = "https://app.example.be/saml", *extra: str, types: str = "[WSE Loket]") -> str:
    return "\n".join([f"entity_id: {entity_id}", f"mandate_types: {types}", *extra]) + "\n"
