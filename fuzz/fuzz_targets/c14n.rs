#![no_main]
use edge_sso::saml::c14n::{canonicalize, C14nOptions};
use edge_sso::saml::xml::{parse, Element};
use libfuzzer_sys::fuzz_target;

fn walk<'e, 'a>(e: &'e Element<'a>, out: &mut Vec<&'e Element<'a>>) {
    out.push(e);
    for c in e.elements() {
        walk(c, out);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = parse(s) else { return };
    let mut all = Vec::new();
    walk(&doc.root, &mut all);
    let prefixes = vec!["#default".to_owned(), "xs".to_owned()];
    for (i, apex) in all.iter().enumerate().take(64) {
        let exclude = all.get(i + 1).copied();
        for with_comments in [false, true] {
            let opts = C14nOptions {
                with_comments,
                inclusive_prefixes: if i % 2 == 0 { &prefixes } else { &[] },
            };
            let out = canonicalize(&doc.root, apex, exclude, &opts).expect("apex is in the tree");
            // canonical output is itself well-formed XML (namespaces rendered where used)
            if exclude.is_none() {
                assert!(parse(&out).is_ok(), "c14n output does not parse: {out:?}");
            }
        }
    }
});
