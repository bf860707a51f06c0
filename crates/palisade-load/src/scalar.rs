//! Scalar resolution the way kubectl and the API server read YAML (sigs.k8s.io/yaml over
//! go-yaml v2, which follows YAML 1.1): `yes`, `on` and `y` are booleans, `0777` is octal,
//! `0x1F` is hexadecimal, and only plain (unquoted) scalars are resolved. Values JSON cannot
//! hold (NaN, infinities) stay strings.

use crate::error::Failure;
use palisade_model::Value;
use palisade_model::intern::{Str, shared};
use saphyr_parser::{ScalarStyle, Tag};
use serde_json::Number;
use std::borrow::Cow;

/// What a scalar's text means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// The text itself.
    Str,
}

const CORE_TAG_HANDLE: &str = "tag:yaml.org,2002:";

/// Resolve a plain scalar as go-yaml v2 does.
pub(crate) fn resolve_plain(text: &str) -> Scalar {
    let Some(&first) = text.as_bytes().first() else {
        return Scalar::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => word(text),
        b'.' => {
            if is_special_float(text) {
                return Scalar::Str;
            }
            // go-yaml hands this to ParseFloat unchanged (no `_` removal).
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Scalar::Float(f),
                _ => Scalar::Str,
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if is_special_float(text) {
                return Scalar::Str;
            }
            number(text)
        }
        _ => Scalar::Str,
    }
}

fn word(text: &str) -> Scalar {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Scalar::Null,
        _ => Scalar::Str,
    }
}

/// `.nan`, `.inf` and friends: floats for YAML, but not representable in JSON.
fn is_special_float(text: &str) -> bool {
    matches!(
        text,
        ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    )
}

fn number(text: &str) -> Scalar {
    let plain: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    if let Some(i) = go_parse_int(&plain) {
        return Scalar::Int(i);
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Scalar::UInt(u);
    }
    if is_yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Scalar::Float(f);
    }
    Scalar::Str
}

/// Go's `strconv.ParseUint(s, 0, 64)` without underscores: `0x`, `0o`, `0b` prefixes and a
/// leading `0` for octal.
fn go_parse_uint(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let (base, digits): (u64, &[u8]) = if bytes[0] == b'0' {
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, &bytes[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, &bytes[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, &bytes[2..]),
            _ => (8, &bytes[1..]),
        }
    } else {
        (10, bytes)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' => c - b'a' + 10,
            b'A'..=b'Z' => c - b'A' + 10,
            _ => return None,
        };
        let d = u64::from(d);
        if d >= base {
            return None;
        }
        n = n.checked_mul(base)?.checked_add(d)?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(text: &str) -> Option<i64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = go_parse_uint(rest)?;
    if negative {
        if magnitude <= 1u64 << 63 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float as kubectl sends it: Go's JSON encoder writes integral floats without a fraction,
/// so `1.0` reaches the API server as `1`.
pub(crate) fn float_value(f: f64) -> Value {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        return Value::Number(Number::from(f as i64));
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn scalar_to_value(scalar: Scalar, text: Cow<'_, str>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Number(i.into()),
        Scalar::UInt(u) => Value::Number(u.into()),
        Scalar::Float(f) => float_value(f),
        Scalar::Str => Value::String(shared(&text)),
    }
}

/// The core-schema suffix of an explicit tag (`str` for `!!str`), `Some("")` for any other
/// tag, `None` when untagged.
fn core_suffix(tag: Option<&Tag>) -> Option<&str> {
    tag.map(|tag| {
        if tag.handle == CORE_TAG_HANDLE {
            tag.suffix.as_str()
        } else {
            ""
        }
    })
}

/// The value of a scalar in value position.
pub(crate) fn scalar_value(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, Failure> {
    match core_suffix(tag) {
        None if style == ScalarStyle::Plain => {
            let scalar = resolve_plain(&text);
            Ok(scalar_to_value(scalar, text))
        }
        None => Ok(Value::String(shared(&text))),
        Some(suffix @ ("int" | "float" | "bool" | "null")) => {
            let scalar = resolve_plain(&text);
            let fits = match (suffix, scalar) {
                ("int", Scalar::Int(_) | Scalar::UInt(_)) => true,
                ("float", Scalar::Int(_) | Scalar::UInt(_) | Scalar::Float(_)) => true,
                ("float", Scalar::Str) => is_special_float(&text),
                ("bool", Scalar::Bool(_)) | ("null", Scalar::Null) => true,
                _ => false,
            };
            if !fits {
                return Err(Failure::TagMismatch {
                    text: truncate(&text),
                    tag: suffix.to_string(),
                });
            }
            Ok(scalar_to_value(scalar, text))
        }
        // `!!str`, `!!binary`, `!!timestamp`, and tags go-yaml does not resolve.
        Some(_) => Ok(Value::String(shared(&text))),
    }
}

/// The string a mapping key becomes: sigs.k8s.io/yaml turns non-string keys into their text
/// form (`true:` → "true", `1:` → "1").
pub(crate) fn key_string(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Str {
    let resolve = match core_suffix(tag) {
        None => style == ScalarStyle::Plain,
        Some(suffix) => matches!(suffix, "int" | "float" | "bool" | "null"),
    };
    if !resolve {
        return shared(&text);
    }
    match resolve_plain(&text) {
        Scalar::Str => shared(&text),
        scalar => scalar_key(scalar).map_or_else(|| shared(&text), |key| shared(&key)),
    }
}

fn scalar_key(scalar: Scalar) -> Option<String> {
    Some(match scalar {
        Scalar::Null => "null".to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::UInt(u) => u.to_string(),
        Scalar::Float(f) => go_float_key(f),
        Scalar::Str => return None,
    })
}

/// The key form of an already-built value (an alias used as a key).
pub(crate) fn value_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        Value::Null => Some("null".to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, which sigs.k8s.io/yaml uses for float keys.
fn go_float_key(f: f64) -> String {
    let x = f as f32;
    if x == 0.0 {
        return "0".to_string();
    }
    let exponent = x.abs().log10().floor();
    if !(-4.0..6.0).contains(&exponent) {
        let formatted = format!("{x:e}");
        match formatted.split_once('e') {
            Some((mantissa, exp)) => {
                let (sign, digits) = match exp.strip_prefix('-') {
                    Some(d) => ('-', d),
                    None => ('+', exp),
                };
                format!("{mantissa}e{sign}{digits:0>2}")
            }
            None => formatted,
        }
    } else {
        format!("{x}")
    }
}

/// Error messages quote at most a short prefix of the offending text.
pub(crate) fn truncate(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(text: &str) -> Value {
        scalar_value(Cow::Borrowed(text), ScalarStyle::Plain, None).unwrap()
    }

    #[test]
    fn booleans_follow_yaml_1_1() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(plain(t), json!(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(plain(f), json!(false), "{f}");
        }
        for s in ["yEs", "oN", "tRUE", "o", "t", "f"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
    }

    #[test]
    fn nulls() {
        for n in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(plain(n), Value::Null, "{n:?}");
        }
        assert_eq!(plain("nULL"), json!("nULL"));
    }

    #[test]
    fn integers() {
        assert_eq!(plain("42"), json!(42));
        assert_eq!(plain("-42"), json!(-42));
        assert_eq!(plain("+42"), json!(42));
        assert_eq!(plain("1_000"), json!(1000));
        assert_eq!(plain("0777"), json!(511));
        assert_eq!(plain("0o17"), json!(15));
        assert_eq!(plain("0x1F"), json!(31));
        assert_eq!(plain("-0x1F"), json!(-31));
        assert_eq!(plain("0b101"), json!(5));
        assert_eq!(plain("0"), json!(0));
        assert_eq!(plain("-9223372036854775808"), json!(i64::MIN));
        assert_eq!(plain("18446744073709551615"), json!(u64::MAX));
        // Overflow becomes a float, as in go-yaml.
        assert_eq!(plain("99999999999999999999"), json!(1e20));
        // Not a valid octal: go-yaml's float pattern accepts it.
        assert_eq!(plain("09"), json!(9));
        assert_eq!(plain("0x"), json!("0x"));
        assert_eq!(plain("0xFFFFFFFFFFFFFFFFFF"), json!("0xFFFFFFFFFFFFFFFFFF"));
    }

    #[test]
    fn floats_and_strings() {
        assert_eq!(plain("1.5"), json!(1.5));
        assert_eq!(plain(".5"), json!(0.5));
        assert_eq!(plain("1e3"), json!(1000));
        assert_eq!(plain("-1.25e-2"), json!(-0.0125));
        assert_eq!(plain("1.0"), json!(1));
        for s in [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e400"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
        // Sexagesimal numbers and timestamps stay strings.
        assert_eq!(plain("1:30"), json!("1:30"));
        assert_eq!(plain("2001-12-14"), json!("2001-12-14"));
        assert_eq!(plain("1.2.3"), json!("1.2.3"));
        assert_eq!(plain("-"), json!("-"));
        assert_eq!(plain("12abc"), json!("12abc"));
    }

    #[test]
    fn quoted_and_tagged() {
        let quoted = scalar_value(Cow::Borrowed("yes"), ScalarStyle::SingleQuoted, None);
        assert_eq!(quoted.unwrap(), json!("yes"));
        let block = scalar_value(Cow::Borrowed("0777"), ScalarStyle::Literal, None);
        assert_eq!(block.unwrap(), json!("0777"));
        let tag = |suffix: &str| Tag {
            handle: CORE_TAG_HANDLE.to_string(),
            suffix: suffix.to_string(),
        };
        let tagged = |text: &str, style, suffix: &str| {
            scalar_value(Cow::Borrowed(text), style, Some(&tag(suffix)))
        };
        assert_eq!(
            tagged("yes", ScalarStyle::Plain, "str").unwrap(),
            json!("yes")
        );
        assert_eq!(
            tagged("12", ScalarStyle::Plain, "str").unwrap(),
            json!("12")
        );
        assert_eq!(
            tagged("12", ScalarStyle::DoubleQuoted, "int").unwrap(),
            json!(12)
        );
        assert_eq!(
            tagged("12", ScalarStyle::Plain, "float").unwrap(),
            json!(12)
        );
        assert_eq!(
            tagged("on", ScalarStyle::Plain, "bool").unwrap(),
            json!(true)
        );
        assert_eq!(
            tagged("~", ScalarStyle::Plain, "null").unwrap(),
            Value::Null
        );
        assert!(tagged("abc", ScalarStyle::Plain, "int").is_err());
        let custom = Tag {
            handle: "!".to_string(),
            suffix: "Ref".to_string(),
        };
        let value = scalar_value(Cow::Borrowed("12"), ScalarStyle::Plain, Some(&custom));
        assert_eq!(value.unwrap(), json!("12"));
    }

    #[test]
    fn keys_become_strings() {
        let key = |t: &str| key_string(Cow::Borrowed(t), ScalarStyle::Plain, None).to_string();
        assert_eq!(key("true"), "true");
        assert_eq!(key("yes"), "true");
        assert_eq!(key("1"), "1");
        assert_eq!(key("0x10"), "16");
        assert_eq!(key("1.5"), "1.5");
        assert_eq!(key("1e6"), "1e+06");
        assert_eq!(key("~"), "null");
        assert_eq!(key("name"), "name");
        let quoted = key_string(Cow::Borrowed("yes"), ScalarStyle::DoubleQuoted, None).to_string();
        assert_eq!(quoted, "yes");
    }
}
