"""The web layer: Flask views, the cookie session, login of the browser, error pages, health, languages."""
