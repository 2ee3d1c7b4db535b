#!/usr/bin/python3
"""The application behind Shibboleth SP: /app (a session required) shows the attributes mod_shib
puts into the environment; /done (no session required) tells whether a session is still there."""

import html
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = [line.split('id="')[1].split('"')[0] for line in open(os.path.join(HERE, "attribute-map.xml")) if 'id="' in line]
env = {k.decode(): v.decode("utf-8") for k, v in os.environb.items()}
# Apache hands CGI programs "Shib-Session-ID" as Shib_Session_ID
session = bool(env.get("Shib_Session_ID") or env.get("Shib-Session-ID"))
if env.get("SCRIPT_NAME") == "/done":
    title = "still signed in" if session else "logged out"
else:
    title = "signed in" if session else "anonymous"
rows = {("NameID" if k == "persistentID" else k): env[k] for k in KEYS if env.get(k)}
table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows.items())
page = f"<!doctype html><title>{title}</title><h1>{title}</h1><table>{table}</table>"
sys.stdout.buffer.write(b"Content-Type: text/html; charset=utf-8\r\n\r\n" + page.encode("utf-8"))
