"""The OASIS SAML 2.0 metadata schema and its W3C imports (copied from pysaml2's package data).

The schemas import each other by their published URLs; a resolver maps those to the local copies,
so validation never touches the network.
"""

import functools
import os

from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
_LOCAL = {
    "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd": "xmldsig-core-schema.xsd",
    "http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd": "xenc-schema.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}


class _Local(etree.Resolver):
    def resolve(self, url, public_id, context):
        name = _LOCAL.get(url) or os.path.basename(url or "")
        path = os.path.join(HERE, name)
        if os.path.exists(path):
            return self.resolve_filename(path, context)
        return None


@functools.lru_cache(maxsize=1)
def metadata_schema() -> etree.XMLSchema:
    # the schema files are trusted package data: their DTD subsets (xmldsig) may load, the network may not
    parser = etree.XMLParser(no_network=True, load_dtd=True, resolve_entities=True)
    parser.resolvers.add(_Local())
    document = etree.parse(os.path.join(HERE, "saml-schema-metadata-2.0.xsd"), parser)
    return etree.XMLSchema(document)


def validate_metadata(document: bytes | etree._Element) -> list[str]:
    """Schema errors of a metadata document (empty when valid)."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    schema = metadata_schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
