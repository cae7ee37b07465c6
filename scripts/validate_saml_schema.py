#!/usr/bin/env python3
"""Validates SAML 2.0 documents against the OASIS XSDs with the xmlschema
package (independent of edge-sso). The XSDs are the ones pysaml2 ships; no
schema is fetched from the network.

Usage: validate_saml_schema.py SCHEMA_DIR < document.xml
Prints "valid", or the validation error and exits 1.
"""
import os, sys
import xmlschema

d = sys.argv[1]
locations = {
    'urn:oasis:names:tc:SAML:2.0:assertion': os.path.join(d, 'saml-schema-assertion-2.0.xsd'),
    'urn:oasis:names:tc:SAML:2.0:protocol': os.path.join(d, 'saml-schema-protocol-2.0.xsd'),
    'urn:oasis:names:tc:SAML:2.0:metadata': os.path.join(d, 'saml-schema-metadata-2.0.xsd'),
    'http://www.w3.org/2000/09/xmldsig#': os.path.join(d, 'xmldsig-core-schema.xsd'),
    'http://www.w3.org/2001/04/xmlenc#': os.path.join(d, 'xenc-schema.xsd'),
}
doc = sys.stdin.read()
root_ns = 'urn:oasis:names:tc:SAML:2.0:metadata' if 'urn:oasis:names:tc:SAML:2.0:metadata' in doc.split('>', 1)[0] else 'urn:oasis:names:tc:SAML:2.0:protocol'
schema = xmlschema.XMLSchema(locations[root_ns], locations=locations, allow='local')
try:
    schema.validate(doc)
except xmlschema.XMLSchemaValidationError as e:
    print(f'invalid: {e.reason} at {e.path}')
    sys.exit(1)
print('valid')
