#!/usr/bin/env python3
"""Random XML documents and their Exclusive XML Canonicalization 1.0 as
libxml2 computes it (through lxml), for tests/c14n_differential.rs, which
canonicalizes the same subtree with edge-sso and compares the bytes.

    python3 tests/support/c14n_differential.py --seed 42 --trees 3000

prints one JSON object per line: `input` (the document as text), `apex` (the
path from the root to the apex element, as indexes among child elements),
`withComments`, `prefixes` (the InclusiveNamespaces PrefixList), `expected`
(libxml2's canonical form of the apex subtree) and `classes` (what the
document holds, so the test can show every class was generated). The same
seed and lxml version give the same lines.

What is generated: elements in no namespace, in default namespaces and with
prefixes, declarations on ancestors of the apex, redeclarations of a prefix
to another URI and to the same one, unused declarations, xmlns="" undoing a
default namespace; unprefixed, prefixed and xml: attributes in random order,
their values with &, <, >, ", ', tab, CR, LF written literally (where XML
allows) and as references; text with CR LF, lone CR, character references
(CR, tab, LF, non-ASCII, & and <), the five predefined entity references and
non-ASCII (U+00A0, U+0085, U+2028, astral); CDATA sections; comments; processing
instructions with CR LF, lone CR, several kinds of white space after the
target and data starting with U+00A0; comments, PIs and white space before
and after the root; an XML declaration sometimes. Not generated: DOCTYPE
(edge-sso refuses it by design) and relative namespace URIs (Canonical XML
1.0 §2.1 says a canonicalizer may fail on them).

Not generated, because lxml does not hand it to libxml2: `#default` in the
PrefixList. lxml keeps only the prefixes it finds in the document's name
dictionary and drops `#default`, so its answer would not be libxml2's. The
xmlsec1-signed response fixture 'InclusiveNamespaces PrefixList with
#default' (scripts/fixtures/saml_responses.py) covers it.
"""
import argparse, json, random, sys

# lxml carries its own libxml2 (6.1.3 ships libxml2 2.14.6): pinned, so a seed
# gives the same trees and the same answers everywhere. scripts/setup.sh
# installs this version.
LXML = '6.1.3'
try:
    from lxml import etree
except ImportError:
    sys.exit('python3 has no lxml: run scripts/setup.sh (it installs lxml==%s from PyPI)' % LXML)
if etree.__version__ != LXML:
    sys.exit('lxml %s found, %s wanted: run scripts/setup.sh' % (etree.__version__, LXML))

XML_NS = 'http://www.w3.org/XML/1998/namespace'
PREFIXES = ['p', 'q', 'r', 'ds', 'xs']
# ASCII only: libxml2 reports a namespace name with non-ASCII characters as
# "not a valid URI", and lxml then refuses the document.
URIS = ['urn:a', 'urn:b', 'http://example.com/ns/c', 'urn:oasis:names:tc:SAML:2.0:assertion',
        'urn:with%20space', 'https://example.org/?a=1;b=2']
LOCALS = ['a', 'b', 'Assertion', 'NameID', 'x-y', 'z.1', '_u', '\u00e9l\u00e9ment']
ATTR_LOCALS = ['ID', 'id', 'a', 'b', 'Name', 'z', 'lang', '\u00e9']
PI_TARGETS = ['pi', 'target', 'x-y', 'a.b', '_p', 'xml-stylesheet', '\u00e9t']

# Pieces of character data, each written as the document text and tagged
# with the classes it exercises.
TEXT_PIECES = [
    ('abc', None), (' ', None), ('Zo\u00eb', 'nonAscii'), ('\u6771\u4eac', 'nonAscii'),
    ('\U0001F38C', 'nonAscii'), ('\u00a0', 'nonAscii'), ('\u0085', 'nonAscii'), ('\u2028', 'nonAscii'),
    ('\r\n', 'crlf'), ('\r', 'loneCr'), ('\n', None), ('\t', None),
    ('>', 'textEscape'), ('"', None), ("'", None), (']', None),
    ('&amp;', 'entityRef'), ('&lt;', 'entityRef'), ('&gt;', 'entityRef'), ('&quot;', 'entityRef'), ('&apos;', 'entityRef'),
    ('&#13;', 'charRefCr'), ('&#xD;', 'charRefCr'), ('&#9;', 'charRef'), ('&#10;', 'charRef'), ('&#x41;', 'charRef'),
    ('&#233;', 'charRef'), ('&#x1F38C;', 'charRef'), ('&#60;', 'charRef'), ('&#38;', 'charRef'), ('&#32;', 'charRef'),
]
CDATA_PIECES = ['abc', '<b>', '&amp;', '&', ']]', ']', '>', '\r\n', '\r', '\n', ' ', '\u00e9', '\U0001F38C', '"']
COMMENT_PIECES = ['c', ' ', '-', '<', '&', '>', '\r\n', '\r', '\n', '\u00e9', '\u00a0', 'x y']
PI_PIECES = ['data', ' ', 'a="1"', '?', '>', '<', '&', '&amp;', '\r\n', '\r', '\n', '\t', '\u00a0', '\u00e9']
PI_SEPARATORS = [(' ', None), ('\t', None), ('\n', None), ('\r\n', 'crlf'), ('\r', 'loneCr'), ('  \r\n\t', 'crlf')]
# An attribute value's pieces for a value delimited by `quote`.
ATTR_PIECES = [
    ('v', None), (' ', None), ('  ', None), ('\u00e9', 'nonAscii'), ('\U0001F38C', 'nonAscii'), ('\u00a0', 'nonAscii'),
    ('&amp;', 'attrEscape'), ('&lt;', 'attrEscape'), ('>', 'attrEscape'), ('&gt;', 'attrEscape'), ('&quot;', 'attrEscape'),
    ('&apos;', None), ('&#9;', 'attrEscape'), ('&#10;', 'attrEscape'), ('&#13;', 'attrEscape'), ('&#xD;&#xA;', 'attrEscape'),
    ('\t', 'attrWhitespace'), ('\n', 'attrWhitespace'), ('\r\n', 'attrWhitespace'), ('\r', 'attrWhitespace'),
    ('&#60;', 'attrEscape'), ('&#34;', 'attrEscape'),
]
SPACES = [' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\n  ']


class Tree:
    """One random document, with the classes of what it holds."""

    def __init__(self, rng):
        self.rng = rng
        self.classes = set()
        self.nodes = 0

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p):
        return self.rng.random() < p

    def join(self, pieces, n):
        out = []
        for _ in range(n):
            text, cls = self.pick(pieces)
            out.append(text)
            if cls:
                self.classes.add(cls)
        return ''.join(out)

    def document(self):
        out = []
        if self.chance(0.3):
            out.append(self.pick(['<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>',
                                  "<?xml version='1.0' encoding='utf-8' standalone='yes'?>"]))
            self.classes.add('xmlDecl')
        out.append(self.misc())
        out.append(self.element(0, {None: ''}))
        out.append(self.misc())
        return ''.join(out)

    def misc(self):
        """Comments, PIs and white space outside the root."""
        out = []
        for _ in range(self.rng.randrange(3)):
            self.classes.add('outsideRoot')
            out.append(self.pick([self.comment, self.pi, lambda: self.pick(SPACES)])())
        return ''.join(out)

    def text(self):
        t = self.join(TEXT_PIECES, self.rng.randrange(1, 6))
        # `]]>` is not allowed in character data (XML 1.0 §2.4), nor across
        # two runs of text side by side (hence no `]` at the end).
        t = t.replace(']]>', ']]&gt;')
        return t + '.' if t.endswith(']') else t

    def cdata(self):
        self.classes.add('cdata')
        body = ''.join(self.pick(CDATA_PIECES) for _ in range(self.rng.randrange(0, 5)))
        while ']]>' in body:
            body = body.replace(']]>', ']] >')
        if '\r' in body:
            self.classes.add('crInCdata')
        return '<![CDATA[' + body + ']]>'

    def comment(self):
        self.classes.add('comment')
        body = ''.join(self.pick(COMMENT_PIECES) for _ in range(self.rng.randrange(0, 5)))
        # No `--` inside and no `-` at the end (XML 1.0 §2.5).
        while '--' in body:
            body = body.replace('--', '-')
        if body.endswith('-'):
            body += ' '
        if '\r' in body:
            self.classes.add('crInComment')
        return '<!--' + body + '-->'

    def pi(self):
        self.classes.add('pi')
        target = self.pick(PI_TARGETS)
        data = ''.join(self.pick(PI_PIECES) for _ in range(self.rng.randrange(0, 4)))
        if self.chance(0.2):
            data = '\u00a0' + data
            self.classes.add('piLeadingNbsp')
        while '?>' in data:
            data = data.replace('?>', '? >')
        if '\r' in data:
            self.classes.add('crInPi')
        if not data and self.chance(0.5):
            return '<?' + target + '?>'
        sep, cls = self.pick(PI_SEPARATORS)
        if cls:
            self.classes.add('crInPi')
        return '<?' + target + sep + data + '?>'

    def attr_value(self, quote):
        v = self.join(ATTR_PIECES, self.rng.randrange(0, 5))
        other = "'" if quote == '"' else '"'
        if self.chance(0.3):
            v += other  # the other quote, written literally
            if other == '"':
                self.classes.add('attrEscape')
        return v

    def element(self, depth, scope):
        self.nodes += 1
        scope = dict(scope)
        parts = []  # namespace declarations and attributes, in written order
        # Namespace declarations.
        if self.chance(0.25):
            if scope[None] and self.chance(0.4):
                uri = ''
                self.classes.add('undeclareDefault')
            else:
                uri = self.pick(URIS + [''])
                self.classes.add('defaultNs' if uri else 'emptyDefaultNs')
            parts.append(self.attr('xmlns', uri))
            scope[None] = uri
        declared = set()
        for _ in range(self.rng.randrange(3) if self.chance(0.4) else 0):
            prefix = self.pick(PREFIXES)
            if prefix in declared:
                continue
            declared.add(prefix)
            uri = self.pick(URIS)
            if prefix in scope:
                self.classes.add('nsRedeclaredSame' if scope[prefix] == uri else 'nsRedeclared')
            self.classes.add('nsDecl')
            parts.append(self.attr(f'xmlns:{prefix}', uri))
            scope[prefix] = uri
        if self.chance(0.03):
            parts.append(self.attr('xmlns:xml', XML_NS))
            self.classes.add('xmlnsXml')
        # The element's name.
        bound = [p for p in scope if p is not None]
        if bound and self.chance(0.5):
            prefix = self.pick(bound)
            name = f'{prefix}:{self.pick(LOCALS)}'
            self.classes.add('prefixedElement')
        else:
            name = self.pick(LOCALS)
            if scope[None]:
                self.classes.add('defaultNsElement')
        # Attributes, distinct by expanded name (and so by qualified name).
        seen = set()
        for _ in range(self.rng.randrange(5)):
            r = self.rng.random()
            if r < 0.1:
                prefix, local, uri = 'xml', self.pick(['lang', 'space', 'base']), XML_NS
                self.classes.add('xmlAttr')
            elif r < 0.45 and bound:
                prefix = self.pick(bound)
                local, uri = self.pick(ATTR_LOCALS), scope[prefix]
                self.classes.add('prefixedAttr')
            else:
                prefix, local, uri = None, self.pick(ATTR_LOCALS), None
                self.classes.add('unprefixedAttr')
            if (uri, local) in seen:
                continue
            seen.add((uri, local))
            qname = f'{prefix}:{local}' if prefix else local
            if prefix == 'xml' and local == 'space':
                parts.append(self.attr(qname, self.pick(['preserve', 'default'])))
            else:
                parts.append(self.attr(qname, None))
        if len(seen) > 1:
            self.classes.add('severalAttrs')
        self.rng.shuffle(parts)
        tag = name + ''.join(self.pick(SPACES) + p for p in parts) + (self.pick(SPACES) if self.chance(0.2) else '')
        # Children.
        children = []
        if depth < 6 and self.nodes < 60:
            for _ in range(self.rng.randrange(0, 5 if depth < 4 else 3)):
                r = self.rng.random()
                if r < 0.4:
                    children.append(self.element(depth + 1, scope))
                elif r < 0.7:
                    children.append(self.text())
                elif r < 0.8:
                    children.append(self.cdata())
                elif r < 0.9:
                    children.append(self.comment())
                else:
                    children.append(self.pi())
        if not children and self.chance(0.5):
            return f'<{tag}/>'
        return f'<{tag}>' + ''.join(children) + f'</{name}>'

    def attr(self, qname, value):
        """`qname="value"` (a random value when None), in either quotes and
        with white space around the `=` sometimes."""
        quote = self.pick(['"', "'"])
        if value is None:
            value = self.attr_value(quote)
        value = value.replace(quote, '&apos;' if quote == "'" else '&quot;')
        eq = self.pick(['=', '=', '=', ' = ', '\t=\r\n'])
        return qname + eq + quote + value + quote


def elements(e):
    return [c for c in e if isinstance(c.tag, str)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--trees', type=int, required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    for i in range(args.trees):
        t = Tree(rng)
        text = t.document()
        try:
            root = etree.fromstring(text.encode('utf-8'))
        except etree.XMLSyntaxError as e:
            sys.exit(f'tree {i} (seed {args.seed}) is not well-formed by libxml2 ({e}): a generator bug\n{text!r}')
        # The apex: the root sometimes, otherwise any element below it.
        paths = []

        def walk(e, path):
            paths.append(path)
            for k, c in enumerate(elements(e)):
                walk(c, path + [k])
        walk(root, [])
        path = [] if len(paths) == 1 or t.chance(0.15) else t.pick(paths[1:])
        apex = root
        for k in path:
            apex = elements(apex)[k]
        t.classes.add('apexDescendant' if path else 'apexRoot')
        with_comments = t.chance(0.5)
        if with_comments:
            t.classes.add('withComments')
        prefixes = []
        if t.chance(0.4):
            prefixes = [t.pick(PREFIXES + ['xml', 'undeclared']) for _ in range(rng.randrange(1, 4))]
            t.classes.add('inclusivePrefixes')
        expected = etree.tostring(apex, method='c14n', exclusive=True, with_comments=with_comments,
                                  inclusive_ns_prefixes=prefixes or None)
        out.write(json.dumps({'input': text, 'apex': path, 'withComments': with_comments, 'prefixes': prefixes,
                              'expected': expected.decode('utf-8'), 'classes': sorted(t.classes)},
                             ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
