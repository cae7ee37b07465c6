//! [`HttpUrl::parse`] against the WHATWG URL parser (Node's `URL`) on
//! generated URLs.
//!
//! `HttpUrl` decides whether a callback came back to the registered redirect
//! URI and which origin a DPoP proof names, while the URLs themselves are
//! made and followed by a browser, which reads them by the WHATWG standard.
//! So, for every input:
//! - what `HttpUrl` accepts, WHATWG must accept, with the same components as
//!   `HttpUrl` gives them: the scheme (lowercased), no userinfo, the host
//!   (lowercased: `same_endpoint` compares hosts without case), the port
//!   after defaults, the path exactly (`same_endpoint` compares it byte for
//!   byte), the query and the fragment as the callback reads them
//!   ([`parse_query`]: present or not, and the same decoded pairs), and the
//!   same loopback verdict;
//! - what `HttpUrl` refuses and WHATWG accepts must be one of its deliberate
//!   strictnesses, each a class the generator marks its input with: a
//!   scheme other than http(s), or one not followed by `//`; userinfo; a host
//!   with a character other than letters, digits, `-`, `.` and `_`
//!   (percent-encoding, non-ASCII, a backslash); an empty host or port; a
//!   host whose last label starts with a digit but that is not four decimal
//!   octets without leading zeros (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`,
//!   `2130706433`, a trailing dot: WHATWG reads these as IPv4 addresses and
//!   rewrites them; `1e3`, which it takes as a domain); an IPv6 literal
//!   in any form but the one WHATWG serialises it to (RFC 5952's: WHATWG
//!   rewrites every other); a path with a dot segment (`.`, `..`, `%2e`...),
//!   which WHATWG removes, or with a character it percent-encodes
//!   (`"<>`{}`, and `^`, which Node 20 leaves but the standard, Chrome and
//!   Firefox encode) or a backslash, which it reads as `/`; and space, tab,
//!   line ends, other controls or non-ASCII anywhere (WHATWG strips or
//!   encodes them).
//!
//! One difference is the other way round and stays: a host label `xn--...`
//! that is not valid Punycode is refused by WHATWG (IDNA) and accepted by
//! `HttpUrl`, which does not carry IDNA's tables. No browser makes or follows
//! such a URL, so a redirect URI or endpoint holding one never matches or
//! reaches anything; these are counted apart.
//!
//! Why `#[ignore]`: it needs `node`, which `npm test` (scripts/test.sh) has
//! and runs it with `--ignored`; a plain `cargo test` on a machine may not.
//!
//! ```text
//! cargo test --lib url::whatwg_differential -- --ignored --nocapture
//! ```
//!
//! The seed changes from run to run and is printed; `EDGE_SSO_URL_SEED=<n>`
//! repeats a run, `EDGE_SSO_URL_CASES=<n>` sets how many URLs (20,000 by
//! default).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use crate::test_rng::Draw;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{parse_query, HttpUrl};

/// How Node's `URL` read one input (tests/support/whatwg_url.mjs).
#[derive(Debug)]
struct Whatwg {
    protocol: String,
    username: String,
    password: String,
    hostname: String,
    port: String,
    pathname: String,
    query: Option<String>,
    fragment: Option<String>,
}

impl Whatwg {
    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v[k].as_str().unwrap().to_owned();
        let o = |k: &str| v[k].as_str().map(str::to_owned);
        (!v.is_null()).then(|| Self {
            protocol: s("protocol"),
            username: s("username"),
            password: s("password"),
            hostname: s("hostname"),
            port: s("port"),
            pathname: s("pathname"),
            query: o("query"),
            fragment: o("fragment"),
        })
    }
}

/// Inputs that `HttpUrl` refuses and WHATWG accepts are expected to carry one
/// of these marks (the strictnesses listed in the module documentation).
const SCHEME: &str = "a scheme other than http(s), or without //";
const USERINFO: &str = "userinfo";
const HOST_CHAR: &str = "a host character other than letters, digits, - . _";
const EMPTY: &str = "an empty host or port";
const IPV4_FORM: &str = "a last label starting with a digit, not four decimal octets";
const IPV6_FORM: &str = "an IPv6 literal not in the form WHATWG writes it in";
const DOT_SEGMENT: &str = "a dot segment in the path";
const PATH_CHAR: &str = "a path character WHATWG encodes or rewrites";
const WHITESPACE: &str = "whitespace, controls or non-ASCII";
/// The one class `HttpUrl` accepts and WHATWG refuses.
const BAD_PUNYCODE: &str = "an xn-- label that is not Punycode";

/// One generated input and the marks of its strict parts.
struct Case {
    url: String,
    marks: Vec<&'static str>,
}

struct Gen<R> {
    rng: R,
}

impl<R: FnMut() -> u64> Gen<R> {
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.rng.one_in(n)
    }

    /// One of `choices`: a piece of URL and its mark, if it is a strict one.
    fn pick(&mut self, choices: &[(&'static str, Option<&'static str>)], case: &mut Case) {
        let (s, mark) = choices[self.below(choices.len())];
        case.url.push_str(s);
        case.marks.extend(mark);
    }

    fn case(&mut self) -> Case {
        let mut case = Case {
            url: String::new(),
            marks: Vec::new(),
        };
        let c = &mut case;
        let common = self.below(6) != 0;
        if common {
            self.pick(&[("https", None), ("http", None)], c);
        } else {
            self.pick(
                &[
                    ("HTTPS", None),
                    ("Http", None),
                    ("hTtPs", None),
                    ("ftp", Some(SCHEME)),
                    ("ws", Some(SCHEME)),
                    ("file", Some(SCHEME)),
                    ("javascript", Some(SCHEME)),
                    ("httpx", Some(SCHEME)),
                ],
                c,
            );
        }
        if self.below(20) != 0 {
            c.url.push_str("://");
        } else {
            self.pick(
                &[
                    (":", Some(SCHEME)),
                    (":/", Some(SCHEME)),
                    (":\\\\", Some(SCHEME)),
                    (":/\\", Some(SCHEME)),
                    (":///", Some(SCHEME)),
                    (":\\/", Some(SCHEME)),
                ],
                c,
            );
        }
        if self.one_in(30) {
            self.pick(
                &[
                    ("user@", Some(USERINFO)),
                    ("user:pw@", Some(USERINFO)),
                    ("@", Some(USERINFO)),
                    (":@", Some(USERINFO)),
                    ("a%40b@", Some(USERINFO)),
                    ("127.0.0.1@", Some(USERINFO)),
                ],
                c,
            );
        }
        self.host(c);
        if self.one_in(3) {
            self.pick(
                &[
                    (":443", None),
                    (":80", None),
                    (":8443", None),
                    (":0443", None),
                    (":00080", None),
                    (":65535", None),
                    (":0", None),
                    (":1", None),
                    (":", Some(EMPTY)),
                ],
                c,
            );
        }
        self.path(c);
        if self.one_in(3) {
            self.pick(
                &[
                    ("?", None),
                    ("?a=1&b=2", None),
                    ("?code=x&state=y", None),
                    ("?a='x'", None),
                    ("?a=\"x\"", None),
                    ("?a=<b>&c=`{}`", None),
                    ("?a=%zz", None),
                    ("?a=%C3%A9+b", None),
                    ("?a=1?b", None),
                    ("?a=1&&a=2", None),
                    ("?a=%2B%26", None),
                    ("?=", None),
                ],
                c,
            );
        }
        if self.one_in(4) {
            self.pick(
                &[
                    ("#", None),
                    ("#x", None),
                    ("#_=_", None),
                    ("#a=\"1\"", None),
                    ("#`<>`", None),
                    ("#a#b", None),
                    ("#?x", None),
                    ("#%zz", None),
                ],
                c,
            );
        }
        if self.one_in(10) {
            self.inject(c);
        }
        case
    }

    /// A random IPv6 literal, written in one of the ways an address can be:
    /// each piece in either case and with or without leading zeros, a `::`
    /// for one run of zero pieces or none. WHATWG judges which are its own
    /// form; `HttpUrl` must take exactly those, as written.
    fn ipv6(&mut self, c: &mut Case) {
        let pieces: Vec<u16> = (0..8)
            .map(|_| match self.below(4) {
                0 | 1 => 0,
                2 => self.below(16) as u16,
                _ => (self.rng)() as u16,
            })
            .collect();
        // The zero runs, as (start, length); one may become `::`.
        let mut runs = Vec::new();
        let mut k = 0;
        while k < 8 {
            let len = pieces[k..].iter().take_while(|p| **p == 0).count();
            if len > 0 {
                runs.push((k, len));
            }
            k += len.max(1);
        }
        let longest = runs.iter().map(|r| r.1).max().unwrap_or(0);
        let compress = match self.below(3) {
            // The first of the longest runs, as RFC 5952 would.
            0 | 1 => runs
                .iter()
                .find(|r| r.1 == longest && longest >= 2)
                .copied(),
            _ if runs.is_empty() => None,
            _ => Some(runs[self.below(runs.len())]).filter(|_| self.one_in(2)),
        };
        let plain = self.below(3) != 0;
        let mut s = String::from("[");
        let mut k = 0;
        while k < 8 {
            if let Some((at, len)) = compress.filter(|r| r.0 == k) {
                s.push_str(if at == 0 { "::" } else { ":" });
                k += len;
                continue;
            }
            let mut hex = format!("{:x}", pieces[k]);
            if !plain && self.one_in(2) {
                hex = format!("{:0>4}", hex);
            }
            if !plain && self.one_in(2) {
                hex = hex.to_uppercase();
            }
            s.push_str(&hex);
            if k != 7 {
                s.push(':');
            }
            k += 1;
        }
        s.push(']');
        c.url.push_str(&s);
        c.marks.push(IPV6_FORM);
    }

    fn host(&mut self, c: &mut Case) {
        match self.below(10) {
            0..=3 => self.pick(
                &[
                    ("app.example", None),
                    ("APP.Example", None),
                    ("a_b.example", None),
                    ("-a.example", None),
                    ("a-.example", None),
                    ("a..b.example", None),
                    ("app.example.", None),
                    ("localhost", None),
                    ("LOCALHOST", None),
                    ("localhost.", None),
                    ("xn--bcher-kva.example", None),
                    ("XN--BCHER-KVA.example", None),
                    ("0x7f.example", None),
                    ("1e3", Some(IPV4_FORM)),
                    ("1.2.3.4.example", None),
                    ("op", None),
                    ("xn--a.example", Some(BAD_PUNYCODE)),
                ],
                c,
            ),
            4 | 5 => self.pick(
                &[
                    ("127.0.0.1", None),
                    ("127.255.255.254", None),
                    ("10.0.0.1", None),
                    ("0.0.0.0", None),
                    ("255.255.255.255", None),
                    ("127.1", Some(IPV4_FORM)),
                    ("127.0.1", Some(IPV4_FORM)),
                    ("0x7f.0.0.1", Some(IPV4_FORM)),
                    ("0X7F.0.0.1", Some(IPV4_FORM)),
                    ("0177.0.0.1", Some(IPV4_FORM)),
                    ("127.0.0.010", Some(IPV4_FORM)),
                    ("127.00.000.0001", Some(IPV4_FORM)),
                    ("2130706433", Some(IPV4_FORM)),
                    ("0x7f000001", Some(IPV4_FORM)),
                    ("1.2.3.4.", Some(IPV4_FORM)),
                    ("0x", Some(IPV4_FORM)),
                    ("0", Some(IPV4_FORM)),
                    ("127.0.0.1.", Some(IPV4_FORM)),
                ],
                c,
            ),
            // Hosts WHATWG refuses: a number out of range or too many parts,
            // a last label that is a number but not an address.
            6 => self.pick(
                &[
                    ("256.0.0.1", None),
                    ("1.2.3.4.5", None),
                    ("127.08.0.1", None),
                    ("a.1", None),
                    ("app.example.123", None),
                    ("4294967296", None),
                    ("0x100000000", None),
                    ("1.2.3.09", None),
                ],
                c,
            ),
            7 if self.one_in(2) => self.ipv6(c),
            7 | 8 => self.pick(
                &[
                    ("[::1]", None),
                    ("[::]", Some(IPV6_FORM)),
                    ("[2001:db8::1]", Some(IPV6_FORM)),
                    ("[2001:DB8::A]", Some(IPV6_FORM)),
                    ("[1:0:0:2::3]", Some(IPV6_FORM)),
                    ("[1::2:0:0:3]", Some(IPV6_FORM)),
                    ("[fe80::1:2:3:4]", Some(IPV6_FORM)),
                    ("[1:2:3:4:5:6:7:8]", Some(IPV6_FORM)),
                    ("[::ffff:7f00:1]", Some(IPV6_FORM)),
                    ("[0:0:0:0:0:0:0:1]", Some(IPV6_FORM)),
                    ("[0::1]", Some(IPV6_FORM)),
                    ("[::0:1]", Some(IPV6_FORM)),
                    ("[::01]", Some(IPV6_FORM)),
                    ("[2001:db8:0:0:1:0:0:1]", Some(IPV6_FORM)),
                    ("[2001:0db8::1]", Some(IPV6_FORM)),
                    ("[1:0::2]", Some(IPV6_FORM)),
                    ("[1::2:0]", Some(IPV6_FORM)),
                    ("[::1.2.3.4]", Some(IPV6_FORM)),
                    ("[::ffff:127.0.0.1]", Some(IPV6_FORM)),
                    ("[1:2:3:4:5:6:7::]", Some(IPV6_FORM)),
                    ("[::2:3:4:5:6:7:8]", Some(IPV6_FORM)),
                    // Not addresses at all (WHATWG refuses them too).
                    ("[1:2]", None),
                    ("[1::2::3]", None),
                    ("[:1]", None),
                    ("[1:]", None),
                    ("[12345::1]", None),
                    ("[1:2:3:4:5:6:7:8:9]", None),
                    ("[::1]x", None),
                    ("[::1", None),
                    ("[]", None),
                    ("[fe80::1%25eth0]", None),
                    ("[::1.2.3]", None),
                    ("[::1.2.3.4.5]", None),
                ],
                c,
            ),
            _ => self.pick(
                &[
                    ("", Some(EMPTY)),
                    ("%61pp.example", Some(HOST_CHAR)),
                    ("app%2Eexample", Some(HOST_CHAR)),
                    ("b\u{fc}cher.example", Some(HOST_CHAR)),
                    ("\u{ff41}pp.example", Some(HOST_CHAR)),
                    ("app.example\\", Some(HOST_CHAR)),
                    ("app.example\\evil", Some(HOST_CHAR)),
                    ("ho st", Some(WHITESPACE)),
                    ("app.exa\tmple", Some(WHITESPACE)),
                    ("a!b", Some(HOST_CHAR)),
                    ("a$b", Some(HOST_CHAR)),
                    ("a*b", Some(HOST_CHAR)),
                    ("a~b", Some(HOST_CHAR)),
                    ("a<b", None),
                    ("a^b", None),
                    ("a|b", None),
                ],
                c,
            ),
        }
    }

    fn path(&mut self, c: &mut Case) {
        if self.one_in(6) {
            return; // no path: `/`
        }
        for _ in 0..1 + self.below(4) {
            c.url.push('/');
            if self.below(6) != 0 {
                self.pick(
                    &[
                        ("", None),
                        ("cb", None),
                        ("CB", None),
                        ("callback", None),
                        ("a.b", None),
                        ("...", None),
                        (".a", None),
                        ("a.", None),
                        ("%2e%2e%2e", None),
                        ("~user", None),
                        ("a%2fb", None),
                        ("%7e", None),
                        ("%zz", None),
                        (";p=1", None),
                        ("a|b", None),
                        ("^", Some(PATH_CHAR)),
                        ("!$&'()*+,;=:@", None),
                        ("[x]", None),
                    ],
                    c,
                );
            } else {
                self.pick(
                    &[
                        (".", Some(DOT_SEGMENT)),
                        ("..", Some(DOT_SEGMENT)),
                        ("%2e", Some(DOT_SEGMENT)),
                        ("%2E", Some(DOT_SEGMENT)),
                        (".%2e", Some(DOT_SEGMENT)),
                        ("%2e.", Some(DOT_SEGMENT)),
                        ("%2E%2e", Some(DOT_SEGMENT)),
                        ("a\"b", Some(PATH_CHAR)),
                        ("<x>", Some(PATH_CHAR)),
                        ("`", Some(PATH_CHAR)),
                        ("{x}", Some(PATH_CHAR)),
                        ("a\\b", Some(PATH_CHAR)),
                        ("a b", Some(WHITESPACE)),
                        ("\u{e9}", Some(WHITESPACE)),
                    ],
                    c,
                );
            }
        }
    }

    /// A character inserted anywhere: structure may change, so every
    /// outcome but a disagreement on an accepted URL is allowed.
    fn inject(&mut self, c: &mut Case) {
        let chars = [
            ' ', '\t', '\n', '\r', '\0', '\u{1f}', '\u{7f}', '\u{a0}', '\u{e9}', '\u{feff}', '\\',
            '%', '@', ':', '/', '?', '#', '[', ']', '.', '"',
        ];
        let ch = chars[self.below(chars.len())];
        let boundaries: Vec<usize> = (0..=c.url.len())
            .filter(|&i| c.url.is_char_boundary(i))
            .collect();
        let at = boundaries[self.below(boundaries.len())];
        c.url.insert(at, ch);
        c.marks.push("a character inserted anywhere");
    }
}

/// Whether `host` has a label that claims to be Punycode.
fn punycode_label(host: &str) -> bool {
    host.split('.')
        .any(|l| l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")))
}

/// How WHATWG reads `s` in `HttpUrl`'s terms, when it differs from
/// `HttpUrl`'s reading `u`.
fn differences(u: &HttpUrl<'_>, w: &Whatwg) -> Vec<String> {
    let mut d = Vec::new();
    let mut check = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            d.push(format!("{what}: HttpUrl {ours:?}, WHATWG {theirs:?}"));
        }
    };
    check(
        "scheme",
        format!("{}:", u.scheme.to_ascii_lowercase()),
        w.protocol.clone(),
    );
    check(
        "userinfo",
        String::new(),
        format!("{}{}", w.username, w.password),
    );
    check("host", u.host().to_ascii_lowercase(), w.hostname.clone());
    let default = if w.protocol == "http:" { 80 } else { 443 };
    check(
        "port",
        u.port().to_string(),
        w.port.parse::<u16>().unwrap_or(default).to_string(),
    );
    check("path", u.path.to_owned(), w.pathname.clone());
    check(
        "query",
        format!("{:?}", u.query.map(parse_query)),
        format!("{:?}", w.query.as_deref().map(parse_query)),
    );
    check(
        "fragment",
        format!("{:?}", u.fragment.map(parse_query)),
        format!("{:?}", w.fragment.as_deref().map(parse_query)),
    );
    let host = w.hostname.as_str();
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|r| r.split('.').count() == 3);
    check(
        "loopback",
        u.is_loopback().to_string(),
        loopback.to_string(),
    );
    d
}

#[test]
#[ignore = "needs node; npm test runs it with --ignored"]
fn http_url_agrees_with_the_whatwg_url_parser() {
    let seed = crate::test_rng::seed("EDGE_SSO_URL_SEED");
    let n = crate::test_rng::env_number("EDGE_SSO_URL_CASES").unwrap_or(20_000);
    println!("url differential: seed {seed} (EDGE_SSO_URL_SEED={seed} repeats it), {n} URLs");
    let mut gen = Gen {
        rng: crate::test_rng::xorshift64(seed),
    };
    let cases: Vec<Case> = (0..n).map(|_| gen.case()).collect();
    let urls: Vec<&str> = cases.iter().map(|c| c.url.as_str()).collect();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/whatwg_url.mjs");
    let mut node = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node is needed (scripts/setup.sh): {e}"));
    node.stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&urls).unwrap().as_bytes())
        .unwrap();
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success(), "{script} failed");
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let theirs: Vec<Option<Whatwg>> = theirs.iter().map(Whatwg::from_json).collect();
    assert_eq!(theirs.len(), cases.len());

    let (mut same, mut both_refuse) = (0, 0);
    let mut strict: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut punycode, mut ipv6) = (0, 0);
    let mut wrong = Vec::new();
    for (case, w) in cases.iter().zip(&theirs) {
        match (HttpUrl::parse(&case.url), w) {
            (Ok(u), Some(w)) => {
                let d = differences(&u, w);
                if d.is_empty() {
                    same += 1;
                    ipv6 += usize::from(u.host().starts_with('['));
                } else {
                    wrong.push(format!("{:?}: {}", case.url, d.join("; ")));
                }
            }
            (Ok(u), None) if punycode_label(u.host()) => punycode += 1,
            (Ok(_), None) => wrong.push(format!("{:?}: HttpUrl accepts, WHATWG refuses", case.url)),
            (Err(_), None) => both_refuse += 1,
            // An IPv6 literal that is WHATWG's own form must be taken: the
            // mark excuses only the forms WHATWG rewrites.
            (Err(why), Some(w))
                if case.marks == [IPV6_FORM]
                    && w.hostname.starts_with('[')
                    && case.url.contains(&w.hostname) =>
            {
                wrong.push(format!(
                    "{:?}: HttpUrl refuses ({why}) an IPv6 literal written as WHATWG writes it",
                    case.url
                ))
            }
            (Err(why), Some(_)) => match case.marks.iter().find(|m| **m != BAD_PUNYCODE) {
                Some(mark) => *strict.entry(mark).or_default() += 1,
                None => wrong.push(format!(
                    "{:?}: HttpUrl refuses ({why}) with no strictness to say why, WHATWG accepts",
                    case.url
                )),
            },
        }
    }
    println!(
        "url differential: {same} accepted by both with the same components ({ipv6} of them IPv6 literals), \
         {both_refuse} refused by both, {punycode} accepted by HttpUrl only ({BAD_PUNYCODE}); refused by HttpUrl only, by its strictness:"
    );
    for (mark, count) in &strict {
        println!("  {count:>6}  {mark}");
    }
    assert!(
        wrong.is_empty(),
        "seed {seed}: {} disagreements, the first ones:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    if n >= 10_000 {
        assert!(same > n as usize / 10 && both_refuse > 0 && strict.len() >= 8 && ipv6 > 50);
    }
}
