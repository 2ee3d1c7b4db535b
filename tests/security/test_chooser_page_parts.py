"""The chooser page in the answer to the upstream's login is filled in from parts rendered once per
language and script root: it must be the page Jinja renders as a whole, byte for byte, with what
it carries (the person's name, the flow, the CSRF token, the cards) never as markup."""

import lxml.html
import pytest
from flask import session

from broker import create_app
from broker.selection.chooser import chooser_page
from broker.web.i18n import LANGUAGES
from mandates_store import demo_data as d

HOSTILE = "\"><script>alert(1)</script><input name='x' value='&amp;"


def _options(app, person):
    store = app.extensions["store"]
    found = store.login_options(person=person, at=store.today(), scope=d.DEMO_SCOPE)
    return [(f"token-{number}", option) for number, option in enumerate(found)]


def _both(app, lang, script_root, flow_id, model, person):
    """(from the parts, from Jinja as a whole), in one request (one CSRF token)."""
    with app.test_request_context("/saml/sp/acs", method="POST", base_url=f"http://localhost{script_root}"):
        session["lang"] = lang
        pages = app.extensions["chooser_pages"]
        fast = pages.render(lang, script_root, flow_id, model, person, moved=True)
        return fast, pages.whole(lang, flow_id, model, person, moved=True), len(pages.parts)


@pytest.mark.parametrize("script_root", ["", "/broker"])
def test_the_page_from_parts_is_the_page_jinja_renders(demo, script_root):
    app = create_app(demo.broker)
    # six cards (a search box) and three (none); cards of one option and of several
    for person in (d.PERSON_EXECUTOR, d.PERSON_SEVERAL_TAKERS):
        model = chooser_page(_options(app, person))
        for lang in LANGUAGES:
            for flow_id, name in (("_0a1b", "Lotte Verbeke"), ("_ff99", HOSTILE)):  # the second from the parts kept
                fast, whole, kept = _both(app, lang, script_root, flow_id, model, name)
                assert fast == whole
                assert kept >= 1
    assert len(app.extensions["chooser_pages"].parts) == 2 * len(LANGUAGES)


def test_what_the_page_carries_arrives_as_text(demo):
    app = create_app(demo.broker)
    model = chooser_page(_options(app, d.PERSON_SEVERAL_TAKERS))
    fast, _, _ = _both(app, "nl", "", "_0a1b", model, HOSTILE)
    doc = lxml.html.fromstring(fast)
    assert doc.xpath("string(//p[@class='who'])") == f"Aangemeld als {HOSTILE}"
    assert doc.xpath("//input[@name='x']") == [] and doc.xpath("//script/@src") == ["/static/location.js"]
    assert doc.xpath("string(//body/@data-location)") == "/choose/_0a1b"
    (choices,) = [form for form in doc.forms if form.method.upper() == "POST"]
    assert choices.action == "/choose/_0a1b" and choices.inputs["csrf_token"].value
    assert {a.get("href") for a in doc.xpath("//nav[@class='languages']//a")} == {
        f"/language/{lang}?next=/choose/_0a1b" for lang in LANGUAGES
    }
    links = doc.xpath("//ul[@class='cards']//a[@class='choice']/@href")
    assert links and all(link.startswith("/choose/_0a1b/via/") for link in links)


def test_any_other_chooser_page_is_rendered_whole(demo):
    """A notice, a search, several pages or an odd flow id: Jinja renders it, no parts kept."""
    app = create_app(demo.broker)
    options = _options(app, d.PERSON_EXECUTOR)
    for model, flow_id in (
        (chooser_page(options, giver="0999999999"), "_0a1b"),  # asked for a giver without an option
        (chooser_page(options, query="Emm"), "_0a1b"),
        (chooser_page(options), "flow with spaces"),
    ):
        fast, whole, kept = _both(app, "nl", "", flow_id, model, "Lotte")
        assert fast == whole and kept == 0
