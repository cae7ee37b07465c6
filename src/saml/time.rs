//! `xs:dateTime` as SAML uses it: UTC on output, and on input fractional
//! seconds and `Z` or `±hh:mm` offsets (SAML says UTC; IdPs differ in form).
//! A value without a time zone, or otherwise unparseable, is an error: a time
//! check is never skipped because a time could not be read.

use crate::error::{Error, Result, SamlError};

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Howard Hinnant's algorithm (proleptic Gregorian calendar).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats `ms` as `YYYY-MM-DDThh:mm:ssZ` (SAML's UTC form, whole seconds).
///
/// ```
/// use edge_sso::saml::time::format_utc;
/// assert_eq!(format_utc(1_200_502_450_000), "2008-01-16T16:54:10Z");
/// ```
pub fn format_utc(ms: Millis) -> String {
    let secs = (ms / 1000) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses an `xs:dateTime` with a time zone into milliseconds since the epoch.
///
/// ```
/// use edge_sso::saml::time::parse;
/// assert_eq!(parse("2008-01-16T16:54:10Z").unwrap(), 1_200_502_450_000);
/// assert_eq!(parse("2008-01-16T17:54:10.250+01:00").unwrap(), 1_200_502_450_250);
/// assert!(parse("2008-01-16T16:54:10").is_err()); // no time zone
/// ```
pub fn parse(s: &str) -> Result<Millis> {
    parse_inner(s).ok_or(Error::Saml(SamlError::BadTime))
}

fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_inner(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    if s.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
    {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let year = digits(s.get(0..4)?, 4)?;
    let month = digits(s.get(5..7)?, 2)?;
    let day = digits(s.get(8..10)?, 2)?;
    let hour = digits(s.get(11..13)?, 2)?;
    let minute = digits(s.get(14..16)?, 2)?;
    let second = digits(s.get(17..19)?, 2)?;
    let mut rest = s.get(19..)?;
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let text = frac.get(..n)?;
        // milliseconds from the first three digits; further digits truncate
        let padded: String = text.chars().chain("000".chars()).take(3).collect();
        millis = padded.parse().ok()?;
        rest = frac.get(n..)?;
    }
    let offset_minutes = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            let h = digits(rest.get(1..3)?, 2)?;
            let m = digits(rest.get(4..6)?, 2)?;
            if h > 14 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) || hour > 24 || minute > 59 || second > 59 {
        return None;
    }
    if hour == 24 && (minute != 0 || second != 0 || millis != 0) {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_minutes * 60;
    let ms = secs.checked_mul(1000)?.checked_add(millis)?;
    u64::try_from(ms).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_known_values() {
        assert_eq!(parse("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse("2000-02-29T12:00:00Z").unwrap(), 951_825_600_000);
        for ms in [0u64, 951_825_600_000, 1_700_000_000_000, 4_102_444_800_000] {
            assert_eq!(parse(&format_utc(ms)).unwrap(), ms);
        }
    }

    #[test]
    fn accepts_fractions_and_offsets() {
        let base = parse("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(parse("2024-05-01T10:00:00.5Z").unwrap(), base + 500);
        assert_eq!(parse("2024-05-01T10:00:00.123456789Z").unwrap(), base + 123);
        assert_eq!(parse("2024-05-01T12:00:00+02:00").unwrap(), base);
        assert_eq!(parse("2024-05-01T05:30:00-04:30").unwrap(), base);
        assert_eq!(
            parse("2024-05-01T24:00:00Z").unwrap(),
            parse("2024-05-02T00:00:00Z").unwrap()
        );
    }

    #[test]
    fn refuses_anything_unparseable() {
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T10:00:00",
            "2024-05-01 10:00:00Z",
            "2024-13-01T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2024-05-01T10:60:00Z",
            "2024-05-01T10:00:00.Z",
            "2024-05-01T10:00:00+0200",
            "2024-05-01T10:00:00+15:00",
            "+2024-05-01T10:00:00Z",
            "1969-12-31T23:59:59Z",
            "2024-05-01T24:00:01Z",
            "２０２４-05-01T10:00:00Z",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
