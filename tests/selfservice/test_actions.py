"""Ondertekenen with the conflict screen, Stopzetten and Overdragen, through the real broker login;
across parties every action answers 404, and an ended right stops the next action."""

from mandates_store import Actor, MandateSearch
from mandates_store import demo_data as d
from tests.selfservice.helpers import SELF, log_in, submit, words


def _two_awaiting(store, giver=d.COLRUYT, taker=d.BAROCY, kind="WSE Loket"):
    """Two mandates of one type and pair awaiting the taker's signature: the second one signed
    conflicts with the first."""
    admin = Actor.admin(giver)
    first = store.create_mandates(admin, role="giver", counterparty=taker, types=kind, accept_contract=True)[0]
    second = store.create_mandates(admin, role="giver", counterparty=taker, types=kind, accept_contract=True)[0]
    return first, second


def test_sign_from_the_start_page(browser, store):
    first, _ = _two_awaiting(store)
    page = log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    assert "Mandaten die ik moet ondertekenen (2)" in words(page)
    page = browser.get(f"{SELF}/mandaten/{first.id}")
    assert "Ondertekenen" in words(page)
    page = browser.get(f"{SELF}/mandaten/{first.id}/ondertekenen")
    refused = submit(browser, page, {})
    assert refused.status == 400 and "Je moet de voorwaarden" in words(refused)
    done = submit(browser, page, {"accept": "yes"})
    assert done.url == f"{SELF}/mandaten/{first.id}" and "Het mandaat werd ondertekend." in words(done)
    assert store.mandate(first.id).status == "active"
    assert "Getekend" in words(done) or "getekend" in words(done)


def test_conflict_screen_stop_first_then_sign(browser, store):
    first, second = _two_awaiting(store)
    store.sign(Actor.admin(d.BAROCY), first.id, accept_contract=True)
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    page = browser.get(f"{SELF}/mandaten/{second.id}/ondertekenen")
    conflict = submit(browser, page, {"accept": "yes"})
    assert conflict.status == 409 and "Conflict" in words(conflict)
    assert str(first.id) in words(conflict) and store.mandate(second.id).status == "awaiting_signature"
    stop_page = browser.get(conflict.doc.xpath("//a[contains(@href, 'stopzetten')]/@href")[0].join([SELF, ""]))
    resolved = submit(browser, stop_page, {"reason": "vervangen"})
    assert "Het mandaat werd met succes stopgezet" in words(resolved)
    assert "Het conflict is opgelost" in words(resolved)
    assert resolved.url == f"{SELF}/mandaten/{second.id}/ondertekenen"
    done = submit(browser, resolved, {"accept": "yes"})
    assert "Het mandaat werd ondertekend." in words(done)
    assert (store.mandate(first.id).status, store.mandate(second.id).status) == ("stopped", "active")


def test_create_conflict_stop_then_confirm(browser, store):
    # the seeds' case: BAROCY asks Emmaüs for WSE Loket while an active one exists
    existing = next(
        m
        for m in store.search(MandateSearch(party=d.EMMAUS, role="giver", status="active"))
        if m.taker.number == d.BAROCY and m.type_code == "WSE Loket"
    )
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    page = browser.get(SELF + "/aanmaken")
    page = submit(browser, page, {"enterprise": d.EMMAUS, "step": "lookup"})
    page = submit(browser, page, {"type": "WSE Loket", "role": "taker", "step": "review"})
    conflict = submit(browser, page, {"step": "confirm", "accept": "yes"})
    assert conflict.status == 409 and str(existing.id) in words(conflict)
    resolved = submit(browser, conflict, {"step": "stop_conflict"})
    assert "Het conflict is opgelost" in words(resolved) and store.mandate(existing.id).status == "stopped"
    done = submit(browser, resolved, {"step": "confirm", "accept": "yes"})
    assert "Succesvol aangemaakte mandaten" in words(done)


def test_stop_with_reason_shows_in_the_history(browser, store):
    mandate = next(m for m in store.search(MandateSearch(party=d.EMMAUS, role="giver")) if m.type_code == "Test Uniek")
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(f"{SELF}/mandaten/{mandate.id}/stopzetten")
    assert "Stopzetten" in words(page)
    done = submit(browser, page, {"reason": "einde <samenwerking>"})
    assert "Het mandaat werd met succes stopgezet" in words(done)
    assert store.mandate(mandate.id).stop_reason == "einde <samenwerking>"
    assert "Stopgezet" in words(done) and "<samenwerking>" not in done.text


def test_transfer_to_another_taker(browser, store):
    mandate = next(m for m in store.search(MandateSearch(party=d.EMMAUS, role="giver")) if m.type_code == "Test Uniek")
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(f"{SELF}/mandaten/{mandate.id}/overdragen")
    done = submit(browser, page, {"new_taker": "0429.053.863"})
    assert "wacht op de handtekening van de nieuwe mandaatnemer" in words(done), words(done)[:600]
    new = store.search(MandateSearch(party=d.DELOITTE, role="taker", status="awaiting_signature"))
    assert [m.transfer_of for m in new] == [mandate.id]
    refused = submit(browser, page, {"new_taker": d.EMMAUS})
    assert refused.status == 400


def test_actions_on_another_partys_mandate_are_404(browser, store):
    first, _ = _two_awaiting(store)  # Colruyt and BAROCY
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    for action in ("ondertekenen", "stopzetten", "overdragen"):
        assert browser.get(f"{SELF}/mandaten/{first.id}/{action}").status == 404, action
        page = browser.get(SELF + "/ondertekenen")
        token = page.doc.forms[0].inputs["csrf_token"].value
        answer = browser.go("POST", f"{SELF}/mandaten/{first.id}/{action}", {"csrf_token": token, "accept": "yes"})
        assert answer.status == 404, action
    assert store.mandate(first.id).status == "awaiting_signature"


def test_an_ended_right_stops_the_next_action(browser, store):
    first, _ = _two_awaiting(store, taker=d.EMMAUS)
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(f"{SELF}/mandaten/{first.id}/ondertekenen")
    right = next(r for r in store.rights(d.PERSON_MANAGER) if r.organisation == d.EMMAUS)
    store.end_right(right.id, store.today())
    answer = submit(browser, page, {"accept": "yes"})
    assert answer.status == 403 and store.mandate(first.id).status == "awaiting_signature"


def test_sign_without_csrf_token_is_refused(browser, store):
    first, _ = _two_awaiting(store)
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    answer = browser.go("POST", f"{SELF}/mandaten/{first.id}/ondertekenen", {"accept": "yes"})
    assert answer.status == 400 and store.mandate(first.id).status == "awaiting_signature"
