//! The native side of `npm run bench`: the same SAML Response validation as
//! the wasm build, in release-mode Rust, so the bench can show what the wasm
//! boundary and the wasm engine cost.
//!
//! ```text
//! cargo run --release --example bench_native -- <inputs-dir> [--batches N]
//! ```
//!
//! `<inputs-dir>` is what `bench/bench.mjs` writes: `cert.pem`, `config.json`
//! (`spEntityId`, `acsUrl`, `idpEntityId`, `nowMs`, `count`) and one base64
//! response per line in `assertion-signed.txt` and `response-signed.txt`, line
//! `i` answering request `_req<i>`. Prints one JSON line of medians (µs/op).
//!
//! Every response is accepted once per SP (replay cache, one-time request
//! IDs), so each batch gets a fresh SP, built outside the timed region.

use std::path::Path;
use std::time::Instant;

use edge_sso::saml::keys::parse_certificates;
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};

struct Inputs {
    config: SpConfig,
    now_ms: u64,
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name))
        .map_err(|e| format!("{}: {e}", dir.join(name).display()))
}

fn load(dir: &Path) -> Result<Inputs, String> {
    let config: serde_json::Value =
        serde_json::from_str(&read(dir, "config.json")?).map_err(|e| e.to_string())?;
    let field = |k: &str| {
        config
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or(format!("config.json: no {k}"))
    };
    let certificates = parse_certificates(&read(dir, "cert.pem")?).map_err(|e| e.to_string())?;
    let idp = IdpConfig {
        entity_id: field("idpEntityId")?,
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates,
        ..IdpConfig::default()
    };
    let now_ms = config
        .get("nowMs")
        .and_then(|v| v.as_u64())
        .ok_or("config.json: no nowMs")?;
    Ok(Inputs {
        config: SpConfig::new(field("spEntityId")?, field("acsUrl")?, idp),
        now_ms,
    })
}

/// Median µs per validation over `batches` batches of every response in `file`.
fn bench(inputs: &Inputs, responses: &[String], batches: usize) -> Result<f64, String> {
    let mut per_op = Vec::with_capacity(batches);
    // One extra batch first, discarded: warm caches and the allocator.
    for batch in 0..=batches {
        let mut sp = SamlServiceProvider::new(inputs.config.clone()).map_err(|e| e.to_string())?;
        let start = Instant::now();
        for (i, response) in responses.iter().enumerate() {
            let opts = ValidateOptions {
                expected_request_id: Some(format!("_req{i}")),
                ..ValidateOptions::default()
            };
            sp.validate_response(response, inputs.now_ms, opts)
                .map_err(|e| format!("response {i}: {e}"))?;
        }
        if batch > 0 {
            per_op.push(start.elapsed().as_secs_f64() * 1e6 / responses.len() as f64);
        }
    }
    per_op.sort_by(f64::total_cmp);
    per_op
        .get(per_op.len() / 2)
        .copied()
        .ok_or_else(|| "no batches".to_owned())
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .ok_or("usage: bench_native <inputs-dir> [--batches N]")?;
    let batches = match args.iter().position(|a| a == "--batches") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .ok_or("--batches needs a number")?,
        None => 15,
    };
    let dir = Path::new(dir);
    let inputs = load(dir)?;
    let mut out = serde_json::Map::new();
    for (key, file) in [
        ("assertionSigned", "assertion-signed.txt"),
        ("responseSigned", "response-signed.txt"),
    ] {
        let responses: Vec<String> = read(dir, file)?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let median = bench(&inputs, &responses, batches)?;
        out.insert(key.into(), serde_json::json!({ "medianUs": (median * 10.0).round() / 10.0, "count": responses.len() }));
    }
    Ok(serde_json::Value::Object(out).to_string())
}

fn main() {
    match run() {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("bench_native: {e}");
            std::process::exit(1);
        }
    }
}
