// A service provider on node-saml (@node-saml/node-saml), configured only from the broker's
// published IdP metadata. Usage: node node_sp.js BASE_URL BROKER_METADATA_URL KEY CERT
// Prints "ready" once it listens on BASE_URL's port (127.0.0.1). Pages:
//   /metadata  its own SP metadata (for the broker's operator)
//   /login     sends an AuthnRequest;  /acs  takes the Response
//   /          "signed in" with a table of the attributes, or "anonymous"
//   /logout    starts Single Logout;   /slo  takes the LogoutResponse
"use strict";
const fs = require("fs");
const http = require("http");
const crypto = require("crypto");
const zlib = require("zlib");
const { SAML } = require("@node-saml/node-saml");
const { DOMParser } = require("@xmldom/xmldom");
const xpath = require("xpath");

const [base, metadataUrl, keyPath, certPath] = process.argv.slice(2);
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const select = xpath.useNamespaces({
  md: "urn:oasis:names:tc:SAML:2.0:metadata",
  ds: "http://www.w3.org/2000/09/xmldsig#",
});

function fromMetadata(xml) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const idp = select("//md:IDPSSODescriptor", doc)[0];
  const location = (service) =>
    select(`md:${service}[@Binding='${REDIRECT}']/@Location`, idp)[0].value;
  const certs = select("md:KeyDescriptor[not(@use) or @use='signing']//ds:X509Certificate", idp).map(
    (node) => node.textContent.replace(/\s+/g, ""),
  );
  return {
    entityId: select("/md:EntityDescriptor/@entityID", doc)[0].value,
    sso: location("SingleSignOnService"),
    slo: location("SingleLogoutService"),
    certs,
  };
}

const sessions = new Map(); // cookie value -> {profile}

function session(request, response) {
  const match = /nodesp_session=([0-9a-f]+)/.exec(request.headers.cookie || "");
  if (match && sessions.has(match[1])) return sessions.get(match[1]);
  const id = crypto.randomBytes(16).toString("hex");
  const fresh = {};
  sessions.set(id, fresh);
  response.setHeader("Set-Cookie", `nodesp_session=${id}; Path=/; HttpOnly`);
  return fresh;
}

function body(request) {
  return new Promise((resolve) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))));
  });
}

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(response, status, title, rows = []) {
  const table = rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join("");
  response.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
  response.end(`<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1><table>${table}</table>`);
}

function redirect(response, url) {
  response.writeHead(303, { Location: url });
  response.end();
}

async function main() {
  const idp = fromMetadata(await (await fetch(metadataUrl)).text());
  const key = fs.readFileSync(keyPath, "utf8");
  const cert = fs.readFileSync(certPath, "utf8");
  const saml = new SAML({
    issuer: base + "/metadata",
    callbackUrl: base + "/acs",
    logoutCallbackUrl: base + "/slo",
    entryPoint: idp.sso,
    logoutUrl: idp.slo,
    idpIssuer: idp.entityId,
    idpCert: idp.certs,
    privateKey: key,
    publicCert: cert,
    decryptionPvk: key,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    identifierFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    disableRequestedAuthnContext: true,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: "always",
    acceptedClockSkewMs: 5000,
  });
  // node-saml 5.1 reads InResponseTo only from a <Response>: with "always" it refuses every POSTed
  // LogoutResponse ("InResponseTo is missing"), so logout answers go through an "ifPresent" twin
  // and this SP matches InResponseTo to the LogoutRequest it sent itself
  const logout = new SAML({ ...saml.options, validateInResponseTo: "ifPresent" });
  const metadata = saml.generateServiceProviderMetadata(cert, cert);

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, base);
    const state = session(request, response);
    try {
      if (url.pathname === "/metadata") {
        response.writeHead(200, { "Content-Type": "application/samlmetadata+xml" });
        return response.end(metadata);
      }
      if (url.pathname === "/login") return redirect(response, await saml.getAuthorizeUrlAsync("", url.host, {}));
      if (url.pathname === "/acs" && request.method === "POST") {
        const { profile } = await saml.validatePostResponseAsync(await body(request));
        state.profile = profile;
        return redirect(response, base + "/");
      }
      if (url.pathname === "/logout" && state.profile) {
        const target = await logout.getLogoutUrlAsync(state.profile, "", {});
        const sent = zlib.inflateRawSync(Buffer.from(new URL(target).searchParams.get("SAMLRequest"), "base64"));
        state.logoutId = /ID="([^"]+)"/.exec(sent.toString())[1];
        return redirect(response, target);
      }
      if (url.pathname === "/slo" && request.method === "POST") {
        const form = await body(request);
        const { loggedOut } = await logout.validatePostResponseAsync(form);
        const answered = /InResponseTo="([^"]+)"/.exec(Buffer.from(form.SAMLResponse, "base64").toString());
        if (!loggedOut || !answered || answered[1] !== state.logoutId) {
          return page(response, 400, "refused: not an answer to this SP's logout request");
        }
        delete state.profile;
        return page(response, 200, "logged out");
      }
      if (url.pathname === "/") {
        const profile = state.profile;
        if (!profile) return page(response, 200, "anonymous");
        const rows = Object.entries(profile.attributes || {}).map(([k, v]) => [k, [].concat(v).join(" ")]);
        return page(response, 200, "signed in", [["NameID", profile.nameID], ...rows]);
      }
      return page(response, 404, "not found");
    } catch (error) {
      return page(response, 400, "refused: " + error.message);
    }
  });
  server.listen(Number(new URL(base).port), "127.0.0.1", () => console.log("ready"));
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
