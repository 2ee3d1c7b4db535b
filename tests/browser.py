"""A small browser over Flask test clients: follows redirects and SAML auto-post forms across the
broker, the demo authenticator and the applications, each reached by its own host:port."""

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html


@dataclass
class Page:
    url: str
    status: int
    text: str

    @property
    def doc(self):
        return lxml.html.fromstring(self.text or "<html/>")

    def form(self, index: int = 0):
        return self.doc.forms[index]


def _is_saml_autopost(doc) -> bool:
    forms = doc.forms if doc is not None else []
    if len(forms) != 1:
        return False
    names = {i.name for i in forms[0].inputs if getattr(i, "name", None)}
    return bool(names & {"SAMLRequest", "SAMLResponse"}) and not names - {"SAMLRequest", "SAMLResponse", "RelayState"}


def moved_to(page: Page) -> str:
    """What broker/static/location.js does: a page shown in the answer to a POST puts its own
    address (the body's data-location) in the address bar."""
    here = page.doc.xpath("string(//body/@data-location)")
    return urljoin(page.url, here) if here else page.url


class Browser:
    def __init__(self, apps: dict[str, object]):
        self.clients = {netloc: app.test_client() for netloc, app in apps.items()}
        self.visits: list[tuple[str, str]] = []

    def _client(self, url: str):
        return self.clients[urlsplit(url).netloc]

    def raw(self, method: str, url: str, data=None) -> Page:
        parts = urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        self.visits.append((method, url))
        response = self._client(url).open(path, method=method, data=data, base_url=f"{parts.scheme}://{parts.netloc}")
        if response.status_code in (301, 302, 303, 307):
            return Page(urljoin(url, response.headers["Location"]), response.status_code, "")
        page = Page(url, response.status_code, response.get_data(as_text=True))
        return Page(moved_to(page), page.status, page.text) if "data-location=" in page.text else page

    def go(self, method: str, url: str, data=None, autopost: bool = True) -> Page:
        page = self.raw(method, url, data)
        for _ in range(30):
            if page.status in (301, 302, 303, 307):
                page = self.raw("GET", page.url)
                continue
            if autopost and page.status == 200 and page.text and _is_saml_autopost(page.doc):
                form = page.form()
                page = self.raw("POST", urljoin(page.url, form.action), dict(form.form_values()))
                continue
            return page
        raise AssertionError("too many hops")

    def get(self, url: str, **kwargs) -> Page:
        return self.go("GET", url, **kwargs)

    def submit(self, page: Page, values: dict | None = None, index: int = 0, button: tuple | None = None) -> Page:
        form = page.form(index)
        data = dict(form.form_values())
        if button:
            data[button[0]] = button[1]
        data.update(values or {})
        action = urljoin(page.url, form.action or page.url)
        return self.go(form.method.upper(), action, data)
