//! Credential detectors for the secrets pack: well-known token formats found anywhere in a
//! string, and the generic check of a credential-named key (`DB_PASSWORD`, `--api-key`,
//! `clientSecret`) holding a real value. A detection says what was found, never the value: at
//! most the first four characters of a fixed, public prefix of the format (`AKIA`, `ghp_`).
//! Precision comes first: placeholders, references, interpolation, paths, numbers and
//! settings named after credentials (`TOKEN_TTL`, `SECRET_NAME`) are not credentials.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use palisade_model::{Map, Value};
use std::sync::{LazyLock, OnceLock};

/// What a detector found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GcpServiceAccountKey,
    PrivateKey,
    AzureKey,
    AzureSas,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    Jwt,
    ConnectionString,
    UrlCredentials,
    BearerToken,
    Password,
    WeakPassword,
    Secret,
    Token,
    ApiKey,
    AccessKey,
    NamedPrivateKey,
    Credentials,
}

impl Kind {
    /// What the field holds, for messages: "an AWS access key ID".
    pub fn label(self) -> &'static str {
        match self {
            Self::AwsAccessKeyId => "an AWS access key ID",
            Self::AwsSecretAccessKey => "an AWS secret access key",
            Self::GcpServiceAccountKey => "a GCP service account key",
            Self::PrivateKey => "a PEM private key",
            Self::AzureKey => "an Azure storage or shared access key",
            Self::AzureSas => "an Azure shared access signature",
            Self::GitHubToken => "a GitHub token",
            Self::GitLabToken => "a GitLab personal access token",
            Self::SlackToken => "a Slack token",
            Self::SlackWebhook => "a Slack webhook URL",
            Self::StripeKey => "a Stripe live key",
            Self::Jwt => "a JSON Web Token",
            Self::ConnectionString => "a connection string with a password",
            Self::UrlCredentials => "a URL with a password (basic auth)",
            Self::BearerToken => "a bearer token",
            Self::Password => "a password",
            Self::WeakPassword => "a weak default password",
            Self::Secret => "a secret",
            Self::Token => "a token",
            Self::ApiKey => "an API key",
            Self::AccessKey => "an access key",
            Self::NamedPrivateKey => "a private key",
            Self::Credentials => "credentials",
        }
    }
}

/// A credential found in a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub kind: Kind,
    /// The first characters (at most four) of the format's fixed prefix, never of the secret.
    pub prefix: Option<&'static str>,
}

impl Detection {
    fn new(kind: Kind) -> Self {
        Self { kind, prefix: None }
    }

    fn with_prefix(kind: Kind, prefix: &'static str) -> Self {
        let end = prefix
            .char_indices()
            .nth(4)
            .map_or(prefix.len(), |(index, _)| index);
        Self {
            kind,
            prefix: prefix.get(..end),
        }
    }

    /// "an AWS access key ID in plain text (`AKIA…`)".
    pub fn describe(&self) -> String {
        match self.prefix {
            Some(prefix) => format!("{} in plain text (`{prefix}…`)", self.kind.label()),
            None => format!("{} in plain text", self.kind.label()),
        }
    }
}

fn is_alnum(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
}

/// Length of the run of bytes accepted by `accept` starting at `start`.
fn run_length(bytes: &[u8], start: usize, accept: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| accept(b)).count())
}

/// Occurrences of `prefix` that start a token (not preceded by a letter, digit or `_`), each
/// with the length of the body that follows and is accepted by `body`.
fn prefixed_tokens<'t>(
    text: &'t str,
    prefix: &'t str,
    body: impl Fn(u8) -> bool + 't,
) -> impl Iterator<Item = (usize, usize)> + 't {
    let bytes = text.as_bytes();
    text.match_indices(prefix).filter_map(move |(start, _)| {
        let before = start
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .copied()
            .unwrap_or(b' ');
        if is_alnum(before) || before == b'_' {
            return None;
        }
        let body_start = start + prefix.len();
        Some((body_start, run_length(bytes, body_start, &body)))
    })
}

fn aws_access_key_id(text: &str) -> Option<Detection> {
    for prefix in ["AKIA", "ASIA"] {
        let upper_or_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        for (start, length) in prefixed_tokens(text, prefix, upper_or_digit) {
            let after = text.as_bytes().get(start + length).copied().unwrap_or(b' ');
            let body = text.get(start..start + length).unwrap_or("");
            // AWS documents its examples with keys ending in `EXAMPLE`; they open no account.
            if length == 16 && !is_alnum(after) && !body.contains("EXAMPLE") {
                return Some(Detection::with_prefix(Kind::AwsAccessKeyId, prefix));
            }
        }
    }
    None
}

/// A whole value shaped like an AWS secret access key: 40 base64 characters mixing upper
/// case, lower case and digits.
pub fn aws_secret_shape(value: &str) -> bool {
    let value = value.trim();
    value.len() == 40
        && value.bytes().all(|b| is_alnum(b) || b == b'/' || b == b'+')
        && value.bytes().any(|b| b.is_ascii_uppercase())
        && value.bytes().any(|b| b.is_ascii_lowercase())
        && value.bytes().any(|b| b.is_ascii_digit())
        && !value.contains("EXAMPLE")
}

fn is_base64(byte: u8) -> bool {
    is_alnum(byte) || byte == b'+' || byte == b'/' || byte == b'='
}

/// A PEM private key block with a body (a bare header, as in documentation, is not a key).
fn pem_private_key(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        // The label ends on its own line (a `\n` escape ends it too); a header without its
        // closing dashes is skipped, so it cannot swallow the header of a real key below it.
        let line = &after[..after.find('\n').unwrap_or(after.len())];
        let line_end = line.find("\\n").unwrap_or(line.len());
        let Some(label_end) = after[..line_end].find("-----") else {
            rest = after;
            continue;
        };
        let label = &after[..label_end];
        let body = &after[label_end + 5..];
        if label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK") {
            let body = body.find("-----END").map_or(body, |end| &body[..end]);
            // `\n` escapes in JSON count as two base64 characters; 64 leaves a wide margin.
            if body.bytes().filter(|&b| is_base64(b)).count() >= 64 {
                return true;
            }
        }
        rest = body;
    }
    false
}

fn gcp_service_account(text: &str) -> bool {
    text.contains("service_account") && text.contains("\"private_key\"") && pem_private_key(text)
}

/// `AccountKey=`, `SharedAccessKey=` in Azure connection strings, `sig=` in SAS URLs.
fn azure(text: &str) -> Option<Detection> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for marker in ["accountkey=", "sharedaccesskey="] {
        for (start, _) in lower.match_indices(marker) {
            if run_length(bytes, start + marker.len(), is_base64) >= 40 {
                return Some(Detection::new(Kind::AzureKey));
            }
        }
    }
    if lower.contains("sv=") {
        for (start, _) in lower.match_indices("sig=") {
            let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let signature = run_length(bytes, start + 4, |b| is_base64(b) || b == b'%');
            if matches!(before, Some(b'?' | b'&' | b';')) && signature >= 30 {
                return Some(Detection::new(Kind::AzureSas));
            }
        }
    }
    None
}

fn github(text: &str) -> Option<Detection> {
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if prefixed_tokens(text, prefix, is_alnum).any(|(_, length)| length >= 36) {
            return Some(Detection::with_prefix(Kind::GitHubToken, prefix));
        }
    }
    let fine_grained = |b: u8| is_alnum(b) || b == b'_';
    if prefixed_tokens(text, "github_pat_", fine_grained).any(|(_, length)| length >= 40) {
        return Some(Detection::with_prefix(Kind::GitHubToken, "github_pat_"));
    }
    None
}

fn gitlab(text: &str) -> Option<Detection> {
    let body = |b: u8| is_alnum(b) || b == b'_' || b == b'-';
    prefixed_tokens(text, "glpat-", body)
        .any(|(_, length)| length >= 20)
        .then(|| Detection::with_prefix(Kind::GitLabToken, "glpat-"))
}

fn slack(text: &str) -> Option<Detection> {
    for prefix in ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"] {
        let body = |b: u8| is_alnum(b) || b == b'-';
        for (start, length) in prefixed_tokens(text, prefix, body) {
            let token = text.get(start..start + length).unwrap_or("");
            if length >= 20 && token.contains('-') && token.bytes().any(|b| b.is_ascii_digit()) {
                return Some(Detection::with_prefix(Kind::SlackToken, prefix));
            }
        }
    }
    let marker = "hooks.slack.com/services/";
    for (start, _) in text.match_indices(marker) {
        let body_start = start + marker.len();
        let length = run_length(text.as_bytes(), body_start, |b| {
            is_alnum(b) || b == b'/' || b == b'_'
        });
        let path = text.get(body_start..body_start + length).unwrap_or("");
        if length >= 30 && path.matches('/').count() >= 2 {
            return Some(Detection::new(Kind::SlackWebhook));
        }
    }
    None
}

fn stripe(text: &str) -> Option<Detection> {
    for prefix in ["sk_live_", "rk_live_"] {
        if prefixed_tokens(text, prefix, is_alnum).any(|(_, length)| length >= 16) {
            return Some(Detection::with_prefix(Kind::StripeKey, prefix));
        }
    }
    None
}

fn is_base64url(byte: u8) -> bool {
    is_alnum(byte) || byte == b'-' || byte == b'_'
}

/// Decode base64 (standard or URL-safe alphabet, padding optional); `None` if malformed.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    (bits < 6).then_some(out)
}

fn decodes_to_object(part: &str) -> Option<Map> {
    let bytes = decode_base64(part)?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Three base64url parts whose header decodes to a JSON object with `alg`.
fn jwt(text: &str) -> bool {
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices("eyJ") {
        let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        if before.is_some_and(|b| is_base64url(b) || b == b'.') {
            continue;
        }
        let length = run_length(bytes, start, |b| is_base64url(b) || b == b'.');
        let token = text.get(start..start + length).unwrap_or("");
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 || parts.iter().any(|part| part.len() < 4) {
            continue;
        }
        let header = decodes_to_object(parts[0]);
        if header.is_some_and(|h| h.get("alg").is_some_and(Value::is_string))
            && decodes_to_object(parts[1]).is_some()
        {
            return true;
        }
    }
    false
}

/// `scheme://user:password@host` with a real password.
fn url_credentials(text: &str) -> Option<Detection> {
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices("://") {
        let scheme_length = bytes[..start]
            .iter()
            .rev()
            .take_while(|&&b| is_alnum(b) || b"+.-".contains(&b))
            .count();
        let scheme = &text[start - scheme_length..start];
        if !scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            continue;
        }
        let authority_start = start + 3;
        let length = run_length(bytes, authority_start, |b| {
            !b.is_ascii_whitespace() && !b"/?#\"'<>,;`".contains(&b)
        });
        let authority = &text[authority_start..authority_start + length];
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((_, password)) = userinfo.split_once(':') else {
            continue;
        };
        if host.is_empty()
            || !host
                .bytes()
                .next()
                .is_some_and(|b| is_alnum(b) || b == b'[')
        {
            continue;
        }
        if password.is_empty() || is_placeholder(password) || is_interpolated(password) {
            continue;
        }
        let scheme = scheme.to_ascii_lowercase();
        return Some(Detection::new(if scheme == "http" || scheme == "https" {
            Kind::UrlCredentials
        } else {
            Kind::ConnectionString
        }));
    }
    None
}

fn bearer(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("bearer ").any(|(start, _)| {
        let token_start = start + "bearer ".len();
        let length = run_length(lower.as_bytes(), token_start, |b| {
            is_base64url(b) || b"._~+/=".contains(&b)
        });
        let token = text.get(token_start..token_start + length).unwrap_or("");
        length >= 20 && !is_placeholder(token)
    })
}

/// The detectors of [`detect_format`] that may fire on a text, as a set of bits: each detector
/// only reports a format at an occurrence of one of its markers, so one pass of an automaton
/// over the text finds every detector worth running and rules out all the others. A new
/// detector needs a bit and its markers here (and a case in the prefilter test), or it never
/// runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidates(u16);

impl Candidates {
    /// `-----BEGIN `: PEM private keys, and GCP service accounts (which hold one).
    const PEM: u16 = 1 << 0;
    const AWS: u16 = 1 << 1;
    const GITHUB: u16 = 1 << 2;
    const GITLAB: u16 = 1 << 3;
    const SLACK: u16 = 1 << 4;
    const STRIPE: u16 = 1 << 5;
    const AZURE: u16 = 1 << 6;
    /// `://`; a URL holds a password only with an `@` too.
    const SCHEME: u16 = 1 << 7;
    const AT: u16 = 1 << 8;
    const JWT: u16 = 1 << 9;
    const BEARER: u16 = 1 << 10;
    /// Every detector, as if there were no prefilter.
    #[cfg(test)]
    const ALL: Self = Self(u16::MAX);

    /// The markers, matched in any case (a superset of what the detectors match: `AKIA` also
    /// finds `akia`, which `aws_access_key_id` then turns down).
    const MARKERS: &'static [(&'static str, u16)] = &[
        ("-----begin ", Self::PEM),
        ("akia", Self::AWS),
        ("asia", Self::AWS),
        ("ghp_", Self::GITHUB),
        ("gho_", Self::GITHUB),
        ("ghu_", Self::GITHUB),
        ("ghs_", Self::GITHUB),
        ("ghr_", Self::GITHUB),
        ("github_pat_", Self::GITHUB),
        ("glpat-", Self::GITLAB),
        ("xox", Self::SLACK),
        ("hooks.slack.com/services/", Self::SLACK),
        ("k_live_", Self::STRIPE),
        // `sharedaccesskey=` holds `accesskey=`.
        ("accountkey=", Self::AZURE),
        ("accesskey=", Self::AZURE),
        ("sig=", Self::AZURE),
        ("://", Self::SCHEME),
        ("@", Self::AT),
        ("eyj", Self::JWT),
        ("bearer ", Self::BEARER),
    ];

    /// The detectors that may fire on `text`.
    fn of(text: &str) -> Self {
        static AUTOMATON: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(Candidates::MARKERS.iter().map(|(marker, _)| marker))
                .ok()
        });
        let Some(automaton) = AUTOMATON.as_ref() else {
            // Unreachable with the fixed markers above; without the automaton, run everything.
            return Self(u16::MAX);
        };
        let mut bits = 0;
        // Overlapping: markers can share bytes (`glpat-----BEGIN `).
        for found in automaton.find_overlapping_iter(text) {
            bits |= Self::MARKERS
                .get(found.pattern().as_usize())
                .map_or(u16::MAX, |&(_, bit)| bit);
        }
        Self(bits)
    }

    fn any(self, bits: u16) -> bool {
        self.0 & bits != 0
    }

    fn all(self, bits: u16) -> bool {
        self.0 & bits == bits
    }
}

/// Known credential formats anywhere in `text`, the most specific first.
pub fn detect_format(text: &str) -> Option<Detection> {
    if text.len() < 16 {
        return None;
    }
    match Candidates::of(text) {
        Candidates(0) => None,
        candidates => detect_candidates(text, candidates),
    }
}

/// [`detect_format`] running only the detectors in `candidates`, in the same order.
fn detect_candidates(text: &str, candidates: Candidates) -> Option<Detection> {
    if candidates.any(Candidates::PEM) {
        if gcp_service_account(text) {
            return Some(Detection::new(Kind::GcpServiceAccountKey));
        }
        if pem_private_key(text) {
            return Some(Detection::new(Kind::PrivateKey));
        }
    }
    type Detector = fn(&str) -> Option<Detection>;
    let detectors: [(bool, Detector); 7] = [
        (candidates.any(Candidates::AWS), aws_access_key_id),
        (candidates.any(Candidates::GITHUB), github),
        (candidates.any(Candidates::GITLAB), gitlab),
        (candidates.any(Candidates::SLACK), slack),
        (candidates.any(Candidates::STRIPE), stripe),
        (candidates.any(Candidates::AZURE), azure),
        (
            candidates.all(Candidates::SCHEME | Candidates::AT),
            url_credentials,
        ),
    ];
    if let Some(found) = detectors
        .iter()
        .filter(|(candidate, _)| *candidate)
        .find_map(|(_, detect)| detect(text))
    {
        return Some(found);
    }
    if candidates.any(Candidates::JWT) && jwt(text) {
        return Some(Detection::new(Kind::Jwt));
    }
    (candidates.any(Candidates::BEARER) && bearer(text)).then(|| Detection::new(Kind::BearerToken))
}

/// The words of a key or flag name, as slices of it in their original case: `dbPassword` →
/// `db`, `Password`. A word is a run of ASCII letters and digits, split before an upper-case
/// letter that follows a lower-case letter or a digit; compare words ignoring ASCII case.
fn words(name: &str) -> Words<'_> {
    Words { name, at: 0 }
}

#[derive(Clone)]
struct Words<'a> {
    name: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.name.as_bytes();
        self.at += run_length(bytes, self.at, |b| !b.is_ascii_alphanumeric());
        let start = self.at;
        let mut previous_lower = false;
        while let Some(&b) = bytes.get(self.at) {
            if !b.is_ascii_alphanumeric() || (b.is_ascii_uppercase() && previous_lower) {
                break;
            }
            previous_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
            self.at += 1;
        }
        // Words are ASCII, so both ends are character boundaries.
        self.name
            .get(start..self.at)
            .filter(|word| !word.is_empty())
    }
}

/// `haystack` contains `needle` (lower-case ASCII) in any ASCII case: the same as
/// `haystack.to_ascii_lowercase().contains(needle)`, without the copy.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

/// A set of lower-case ASCII words searched for in any ASCII case, with one automaton pass
/// instead of a search per word.
struct AnyCase {
    words: &'static [&'static str],
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl AnyCase {
    const fn new(words: &'static [&'static str]) -> Self {
        Self {
            words,
            automaton: OnceLock::new(),
        }
    }

    /// Whether `text` contains one of the words in any ASCII case.
    fn in_text(&self, text: &str) -> bool {
        let automaton = self.automaton.get_or_init(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .build(self.words)
                .ok()
        });
        match automaton {
            Some(automaton) => automaton.is_match(text),
            // Unreachable with fixed words; the same answer, one search per word.
            None => self
                .words
                .iter()
                .any(|word| contains_ignore_case(text, word)),
        }
    }
}

/// `text` equals one of `words` (lower-case ASCII) in any ASCII case.
fn one_of_ignore_case(text: &str, words: &[&str]) -> bool {
    words.iter().any(|word| text.eq_ignore_ascii_case(word))
}

/// Words that make a credential-named key a setting about credentials rather than one:
/// `PASSWORD_MIN_LENGTH`, `TOKEN_TTL`, `SECRET_NAME`, `ACCESS_KEY_ID`, `TOKEN_URL`.
const SETTING_WORDS: &[&str] = &[
    "name",
    "names",
    "file",
    "files",
    "path",
    "paths",
    "ref",
    "dir",
    "directory",
    "id",
    "ids",
    "kid",
    "arn",
    "url",
    "uri",
    "endpoint",
    "host",
    "port",
    "ttl",
    "length",
    "len",
    "min",
    "max",
    "minimum",
    "maximum",
    "expiry",
    "expires",
    "expiration",
    "timeout",
    "lifetime",
    "lifespan",
    "duration",
    "age",
    "seconds",
    "secs",
    "sec",
    "ms",
    "millis",
    "minutes",
    "mins",
    "hours",
    "days",
    "interval",
    "period",
    "type",
    "mode",
    "header",
    "field",
    "enabled",
    "enable",
    "disable",
    "disabled",
    "required",
    "policy",
    "rotation",
    "count",
    "size",
    "version",
    "location",
    "mount",
    "algorithm",
    "alg",
    "hash",
    "hashed",
    "format",
    "provider",
    "store",
    "source",
    "prefix",
    "suffix",
    "regex",
    "pattern",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "kind",
    "class",
    "namespace",
    "public",
    "strength",
    "complexity",
    "reset",
    "retries",
    "attempts",
    "limit",
    "cache",
    "template",
    "backend",
    "manager",
    "validation",
    "validate",
    "check",
    "chars",
    "reuse",
    "history",
    "lockout",
    "generator",
    "server",
    "service",
    "label",
    "selector",
    "volume",
    "configmap",
    "encoding",
    "checksum",
    "sha",
    "sha256",
    "digest",
];

/// Fragments, one of which every word announcing a credential holds (`password`, `pwd`,
/// `apikey`, `secret`, `tokens`, `creds`): a name without any of them announces nothing.
static CREDENTIAL_FRAGMENTS: AnyCase =
    AnyCase::new(&["pass", "pwd", "key", "secret", "token", "cred"]);

/// The kind of credential a key or flag name announces, if any.
pub fn credential_name(name: &str) -> Option<Kind> {
    // Most names (`LOG_LEVEL`, `app.kubernetes.io/name`) hold none of the fragments.
    if !CREDENTIAL_FRAGMENTS.in_text(name) {
        return None;
    }
    let words = words(name);
    if words.clone().next().is_none() || words.clone().any(|w| one_of_ignore_case(w, SETTING_WORDS))
    {
        return None;
    }
    // Two consecutive words: the first one of `first`, the second `second`.
    let pair = |first: &[&str], second: &str| {
        words
            .clone()
            .zip(words.clone().skip(1))
            .any(|(a, b)| one_of_ignore_case(a, first) && b.eq_ignore_ascii_case(second))
    };
    let any = |test: &dyn Fn(&str) -> bool| words.clone().any(test);
    let ends_with = |word: &str, suffix: &str| {
        word.len()
            .checked_sub(suffix.len())
            .and_then(|start| word.get(start..))
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
    };
    if any(&|w| {
        contains_ignore_case(w, "password")
            || contains_ignore_case(w, "passwd")
            || one_of_ignore_case(w, &["pass", "pwd", "passphrase"])
    }) {
        return Some(Kind::Password);
    }
    if pair(&["private"], "key") || any(&|w| contains_ignore_case(w, "privatekey")) {
        return Some(Kind::NamedPrivateKey);
    }
    if pair(&["api"], "key") || any(&|w| contains_ignore_case(w, "apikey")) {
        return Some(Kind::ApiKey);
    }
    if pair(&["access"], "key") || any(&|w| contains_ignore_case(w, "accesskey")) {
        return Some(Kind::AccessKey);
    }
    if any(&|w| contains_ignore_case(w, "secret"))
        || pair(
            &["encryption", "signing", "master", "hmac", "session", "auth"],
            "key",
        )
    {
        return Some(Kind::Secret);
    }
    if any(&|w| ends_with(w, "token") || w.eq_ignore_ascii_case("tokens")) {
        return Some(Kind::Token);
    }
    if any(&|w| one_of_ignore_case(w, &["credential", "credentials", "creds", "cred"])) {
        return Some(Kind::Credentials);
    }
    None
}

/// Default passwords that ship with software and appear in every wordlist.
const WEAK_PASSWORDS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "admin",
    "root",
    "secret",
    "letmein",
    "qwerty",
    "guest",
    "welcome",
    "toor",
    "admin123",
    "password1",
    "password123",
];

/// Stand-ins that are not credentials.
const PLACEHOLDER_WORDS: &[&str] = &[
    "none",
    "null",
    "nil",
    "undefined",
    "n/a",
    "na",
    "empty",
    "unset",
    "notset",
    "not_set",
    "not-set",
    "todo",
    "tbd",
    "fixme",
    "dummy",
    "fake",
    "default",
    "optional",
    "required",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "enabled",
    "disabled",
    "auto",
];

static PLACEHOLDER_PART: AnyCase = AnyCase::new(PLACEHOLDER_PARTS);

const PLACEHOLDER_PARTS: &[&str] = &[
    "redacted",
    "replace",
    "placeholder",
    "example",
    "your_",
    "your-",
    "yourpassword",
    "yourtoken",
    "yoursecret",
    "dummy",
    "fixme",
    "masked",
    "sample",
    "insert",
    "fill_me",
    "fill-me",
    "fillme",
    "secret_here",
    "token_here",
    "password_here",
    "-here",
    "_here",
];

/// A placeholder rather than a value: `<redacted>`, `***`, `xxx`, `REPLACE_ME`, `null`.
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    let enclosed = [("<", ">"), ("[", "]"), ("{", "}"), ("(", ")"), ("%", "%")]
        .iter()
        .any(|(open, close)| value.starts_with(open) && value.ends_with(close));
    let mut lower = value.bytes().map(|b| b.to_ascii_lowercase());
    enclosed
        || value.is_empty()
        || lower.clone().all(|b| b"*x.-_#?".contains(&b))
        || lower.next().is_some_and(|first| lower.all(|b| b == first))
        || one_of_ignore_case(value, PLACEHOLDER_WORDS)
        || PLACEHOLDER_PART.in_text(value)
}

/// Markers of interpolation, in any case.
static INTERPOLATION: AnyCase = AnyCase::new(&[
    "$(",
    "${",
    "{{",
    "#{",
    "<%",
    "%(",
    "env[",
    "process.env",
    "os.environ",
    "getenv",
]);

/// The value comes from elsewhere at run time or render time: `$(VAR)`, `${VAR}`, `$VAR`,
/// `{{ .Values.x }}`, `#{x}`, `<%= x %>`, `ENV['X']`.
pub fn is_interpolated(value: &str) -> bool {
    INTERPOLATION.in_text(value)
        || value
            .strip_prefix('$')
            .and_then(|rest| rest.bytes().next())
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
}

fn is_number_or_duration(value: &str) -> bool {
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    !digits.is_empty()
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b"._-+".contains(&b))
        && digits.bytes().any(|b| b.is_ascii_digit())
        && one_of_ignore_case(
            unit,
            &[
                "", "ms", "s", "m", "h", "d", "w", "y", "k", "ki", "mi", "gi",
            ],
        )
}

fn is_path(value: &str) -> bool {
    let windows_drive = value.as_bytes().get(1..3) == Some(b":\\".as_slice());
    // `database/creds/web`, `secret/data/shop/api`: a lower-case relative path, as in Vault.
    let relative = value.contains('/')
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/-_.".contains(&b));
    (["/", "./", "../", "~/", "file:"]
        .iter()
        .any(|prefix| value.starts_with(prefix))
        || windows_drive
        || relative)
        && !value.contains(char::is_whitespace)
}

/// A Kubernetes resource name with a separator (`my-secret`, `db.credentials`): for `secret`,
/// `token` and `credentials` keys it names where the credential is, not the credential.
fn is_resource_name(value: &str) -> bool {
    value.len() <= 253
        && value.contains(['-', '.'])
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && value.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && !value.ends_with(['-', '.'])
}

/// `8-4-4-4-12` hexadecimal digits: API keys are often UUIDs.
fn is_uuid(value: &str) -> bool {
    value.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && value.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

/// The name of another environment variable (`TOKEN: GITHUB_TOKEN`).
fn is_variable_name(value: &str) -> bool {
    value.contains('_')
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `value`, held by a key announcing `kind`, is a credential.
pub fn named_value(kind: Kind, value: &str) -> Option<Detection> {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if one_of_ignore_case(value, WEAK_PASSWORDS) {
        return Some(Detection::new(Kind::WeakPassword));
    }
    let prose = value.split_whitespace().nth(2).is_some();
    let trivial = value.chars().count() < 6
        || prose
        || is_placeholder(value)
        || is_interpolated(value)
        || is_number_or_duration(value)
        || is_path(value)
        || value.contains("://")
        || is_variable_name(value)
        || (matches!(kind, Kind::Secret | Kind::Token | Kind::Credentials)
            && is_resource_name(value)
            && !is_uuid(value));
    (!trivial).then(|| Detection::new(kind))
}

/// A credential in `value`, held by a field called `name` when it has one: a known format
/// first, else a credential-named key with a real value.
pub fn assess(name: Option<&str>, value: &str) -> Option<Detection> {
    if let Some(found) = detect_format(value) {
        return Some(found);
    }
    let name = name?;
    let kind = credential_name(name)?;
    let aws = || words(name).any(|w| w.eq_ignore_ascii_case("aws"));
    if (kind == Kind::AccessKey || (kind == Kind::Secret && aws())) && aws_secret_shape(value) {
        return Some(Detection::new(Kind::AwsSecretAccessKey));
    }
    named_value(kind, value)
}

/// `key = value`, `key: value` and `"key": "value"` lines of a configuration file held in a
/// string (properties, dotenv, YAML, TOML, JSON one pair per line).
pub fn settings_in(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let line = line.strip_prefix("- ").unwrap_or(line);
        if line.starts_with(['#', ';', '/']) {
            return None;
        }
        let split = line.find([':', '='])?;
        let name = line[..split].trim().trim_matches(|c| c == '"' || c == '\'');
        if name.is_empty() || !name.bytes().all(|b| is_alnum(b) || b"_.-".contains(&b)) {
            return None;
        }
        let value = line[split + 1..]
            .trim()
            .trim_end_matches(',')
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        Some((name, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<Kind> {
        detect_format(text).map(|d| d.kind)
    }

    // Fake credentials assembled at run time so that the source holds no complete token.
    fn fake(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}")
    }

    #[test]
    fn aws_access_key_ids() {
        let key = fake("AKIA", "Z7QXW3PL9M2KD4TB");
        let found = detect_format(&format!("aws_access_key_id={key}")).expect("found");
        assert_eq!(found.kind, Kind::AwsAccessKeyId);
        assert_eq!(
            found.describe(),
            "an AWS access key ID in plain text (`AKIA…`)"
        );
        assert_eq!(
            kind(&fake("ASIA", "Z7QXW3PL9M2KD4TB")),
            Some(Kind::AwsAccessKeyId)
        );
        // AWS's documentation key, a too-short id, and an id glued to other text.
        assert_eq!(kind("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(kind("AKIAZ7QXW3PL9M2KD4T"), None);
        assert_eq!(kind(&format!("XAKIA{}", "Z7QXW3PL9M2KD4TB")), None);
        assert_eq!(kind(&format!("{key}X")), None);
    }

    #[test]
    fn aws_secret_access_keys_need_a_name_or_a_neighbour() {
        let secret = "q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Oo";
        assert!(aws_secret_shape(secret));
        assert_eq!(
            assess(Some("AWS_SECRET_ACCESS_KEY"), secret).map(|d| d.kind),
            Some(Kind::AwsSecretAccessKey)
        );
        assert!(!aws_secret_shape(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert_eq!(kind(secret), None);
    }

    #[test]
    fn private_keys_and_service_accounts() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n");
        assert_eq!(kind(&pem), Some(Kind::PrivateKey));
        let rsa = pem.replace("PRIVATE KEY", "RSA PRIVATE KEY");
        assert_eq!(kind(&rsa), Some(Kind::PrivateKey));
        let json = format!(
            "{{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"{}\"}}",
            pem.replace('\n', "\\n")
        );
        assert_eq!(kind(&json), Some(Kind::GcpServiceAccountKey));
        // A header without a body, and public material.
        assert_eq!(
            kind("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"),
            None
        );
        let certificate = pem.replace("PRIVATE KEY", "CERTIFICATE");
        assert_eq!(kind(&certificate), None);
        // A header cut short (no closing dashes) does not hide the real key after it, on
        // separate lines or behind `\n` escapes.
        let broken = format!("-----BEGIN CERTIFICATE\nnotes\n{pem}");
        assert_eq!(kind(&broken), Some(Kind::PrivateKey));
        assert_eq!(kind(&broken.replace('\n', "\\n")), Some(Kind::PrivateKey));
        assert_eq!(kind("-----BEGIN CERTIFICATE\nnotes\n"), None);
    }

    #[test]
    fn vendor_tokens() {
        let cases = [
            (
                fake("ghp_", "Q7m2Xk9Lp4Rt8Wz1Nc6Vb3Hj5Df0Gs2Ay8Ue"),
                Kind::GitHubToken,
                "ghp_",
            ),
            (
                fake(
                    "github_pat_",
                    "11AB2CD3E0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                ),
                Kind::GitHubToken,
                "gith",
            ),
            (
                fake("glpat-", "x7Kq2Lm9Np4Rs8Tv1Wz3"),
                Kind::GitLabToken,
                "glpa",
            ),
            (
                fake("xoxb-", "2741935-5512849-Qm7Xk2Lp9Rt4"),
                Kind::SlackToken,
                "xoxb",
            ),
            (
                fake("sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"),
                Kind::StripeKey,
                "sk_l",
            ),
        ];
        for (token, expected, prefix) in cases {
            let found = detect_format(&format!("--token={token}")).expect("found");
            assert_eq!(
                (found.kind, found.prefix),
                (expected, Some(prefix)),
                "{token}"
            );
        }
        let webhook = fake(
            "https://hooks.slack.com/services/",
            "T0A1B2C3D/B0Z9Y8X7W/q7Xk2Lp9Rt4Wz1Nc6Vb3Hj5D",
        );
        assert_eq!(kind(&webhook), Some(Kind::SlackWebhook));
        assert_eq!(kind("ghp_short_token_value"), None);
        assert_eq!(kind("sk_test_4eC39HqLyjWDarjtT1zdp7dc"), None);
    }

    #[test]
    fn azure_keys() {
        let connection = format!(
            "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={};EndpointSuffix=core.windows.net",
            "q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Oo+Fx3Qa9Rb6Sc1Td7Ue4Vf0Wg5Xh2Yi8Zj3Ak==",
        );
        assert_eq!(kind(&connection), Some(Kind::AzureKey));
        let sas = "https://shop.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8%3D";
        assert_eq!(kind(sas), Some(Kind::AzureSas));
        assert_eq!(kind("AccountName=shop;AccountKey=<key>"), None);
    }

    #[test]
    fn json_web_tokens() {
        let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
        let payload = "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ";
        let token = format!("{header}.{payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
        assert_eq!(
            kind(&format!("Authorization: Bearer {token}")),
            Some(Kind::Jwt)
        );
        // The header must decode to JSON with `alg`.
        let no_alg = "eyJ0eXAiOiJKV1QifQ";
        assert_eq!(kind(&format!("{no_alg}.{payload}.c2lnbmF0dXJl")), None);
        assert_eq!(kind("eyJhbGciOi.not.a-token"), None);
    }

    #[test]
    fn urls_with_passwords() {
        assert_eq!(
            kind("postgres://app:Tr0ub4dor3@db.shop.svc:5432/app"),
            Some(Kind::ConnectionString)
        );
        assert_eq!(
            kind("redis://:Tr0ub4dor3@cache:6379"),
            Some(Kind::ConnectionString)
        );
        assert_eq!(
            kind("https://ci:Tr0ub4dor3@git.example/repo.git"),
            Some(Kind::UrlCredentials)
        );
        for fine in [
            "postgres://app@db.shop.svc:5432/app",
            "postgres://app:$(DB_PASSWORD)@db:5432/app",
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "mysql://user:<password>@db/x",
            "https://git.example/user:name@x",
            "https://example.com/path",
        ] {
            assert_eq!(kind(fine), None, "{fine}");
        }
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(
            kind("Authorization: Bearer q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6"),
            Some(Kind::BearerToken)
        );
        assert_eq!(kind("Authorization: Bearer $(TOKEN)"), None);
    }

    #[test]
    fn credential_names() {
        for (name, expected) in [
            ("DB_PASSWORD", Kind::Password),
            ("dbPassword", Kind::Password),
            ("MYSQL_ROOT_PASS", Kind::Password),
            ("--password", Kind::Password),
            ("client_secret", Kind::Secret),
            ("clientSecret", Kind::Secret),
            ("SECRET_KEY_BASE", Kind::Secret),
            ("API_KEY", Kind::ApiKey),
            ("apikey", Kind::ApiKey),
            ("x-api-key", Kind::ApiKey),
            ("ACCESS_KEY", Kind::AccessKey),
            ("private_key", Kind::NamedPrivateKey),
            ("GITHUB_TOKEN", Kind::Token),
            ("authToken", Kind::Token),
            ("credentials", Kind::Credentials),
        ] {
            assert_eq!(credential_name(name), Some(expected), "{name}");
        }
        for name in [
            "PASSWORD_MIN_LENGTH",
            "TOKEN_TTL",
            "SECRET_NAME",
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRET_REF",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_URL",
            "DB_USER",
            "PUBLIC_KEY",
            "tokenizer",
            "passenger",
        ] {
            assert_eq!(credential_name(name), None, "{name}");
        }
    }

    #[test]
    fn named_values() {
        let password = Some("DB_PASSWORD");
        assert_eq!(
            assess(password, "Tr0ub4dor&3").map(|d| d.kind),
            Some(Kind::Password)
        );
        assert_eq!(
            assess(password, "correcthorse").map(|d| d.kind),
            Some(Kind::Password)
        );
        assert_eq!(
            assess(password, "changeme").map(|d| d.kind),
            Some(Kind::WeakPassword)
        );
        assert_eq!(
            assess(Some("--password"), "admin").map(|d| d.kind),
            Some(Kind::WeakPassword)
        );
        let uuid = "a81bc81b-dead-4e5d-abff-90865d1e13b1";
        assert_eq!(
            assess(Some("API_KEY"), uuid).map(|d| d.kind),
            Some(Kind::ApiKey)
        );
        assert_eq!(
            assess(Some("SECRET"), uuid).map(|d| d.kind),
            Some(Kind::Secret)
        );
        for (name, value) in [
            ("DB_PASSWORD", ""),
            ("DB_PASSWORD", "<redacted>"),
            ("DB_PASSWORD", "***"),
            ("DB_PASSWORD", "xxx"),
            ("DB_PASSWORD", "xxxxxxxx"),
            ("DB_PASSWORD", "REPLACE_ME"),
            ("DB_PASSWORD", "$(DB_PASSWORD_FROM_SECRET)"),
            ("DB_PASSWORD", "${DB_PASSWORD}"),
            ("DB_PASSWORD", "{{ .Values.password }}"),
            ("DB_PASSWORD", "/var/run/secrets/db/password"),
            ("agent-inject-secret-db", "database/creds/web"),
            ("DB_PASSWORD", "true"),
            ("DB_PASSWORD", "12345678"),
            ("DB_PASSWORD", "null"),
            ("SECRET", "my-app-secret"),
            ("TOKEN", "GITHUB_TOKEN"),
            ("API_TOKEN", "30s"),
            ("PASSWORD_MIN_LENGTH", "12"),
            ("TOKEN_TTL", "3600"),
            ("SECRET_NAME", "my-secret"),
            ("PASSWORD", "abc"),
            ("TOKEN", "https://auth.example/token"),
            ("SECRET_DESCRIPTION", "used by the api to sign cookies"),
            ("LOG_LEVEL", "Tr0ub4dor&3"),
        ] {
            assert_eq!(assess(Some(name), value), None, "{name}={value}");
        }
    }

    #[test]
    fn settings_in_files() {
        let file = "# comment\ndb.password=Tr0ub4dor3\n  \"apiKey\": \"q8Vd2Lr0Tn5X\",\nexport TOKEN='abc123def'\nurl: https://x\n";
        let settings: Vec<_> = settings_in(file).collect();
        assert_eq!(
            settings,
            [
                ("db.password", "Tr0ub4dor3"),
                ("apiKey", "q8Vd2Lr0Tn5X"),
                ("TOKEN", "abc123def"),
                ("url", "https://x"),
            ]
        );
    }

    /// Inputs around every marker: each detector's hits and near misses, in several cases,
    /// glued to neighbours, and overlapping other markers.
    fn tricky_texts() -> Vec<String> {
        let pem_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{pem_body}-----END PRIVATE KEY-----\n");
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let seeds = [
            fake("AKIA", "Z7QXW3PL9M2KD4TB"),
            fake("ASIA", "Z7QXW3PL9M2KD4TB"),
            "AKIAIOSFODNN7EXAMPLE".to_string(),
            fake("ghp_", "Q7m2Xk9Lp4Rt8Wz1Nc6Vb3Hj5Df0Gs2Ay8Ue"),
            fake("ghr_", "Q7m2Xk9Lp4Rt8Wz1Nc6Vb3Hj5Df0Gs2Ay8Ue"),
            fake("github_pat_", "11AB2CD3E0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
            fake("glpat-", "x7Kq2Lm9Np4Rs8Tv1Wz3"),
            fake("xoxb-", "2741935-5512849-Qm7Xk2Lp9Rt4"),
            fake("https://hooks.slack.com/services/", "T0A1B2C3D/B0Z9Y8X7W/q7Xk2Lp9Rt4Wz1Nc6Vb3Hj5D"),
            fake("sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"),
            fake("rk_live_", "4eC39HqLyjWDarjtT1zdp7dc"),
            "AccountName=shop;AccountKey=q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Oo+Fx3Qa9Rb6S==".to_string(),
            "Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8Oo=".to_string(),
            "https://shop.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6Gz4Ym0Ue2Ai8%3D".to_string(),
            "postgres://app:Tr0ub4dor3@db.shop.svc:5432/app".to_string(),
            "https://ci:Tr0ub4dor3@git.example/repo.git".to_string(),
            "mysql://user:<password>@db/x".to_string(),
            "http://otel-collector.observability:4317".to_string(),
            jwt.to_string(),
            format!("Authorization: Bearer {jwt}"),
            "Authorization: bearer q8Vd2Lr0Tn5Xw9Kc3Jb7Hs1Pf6".to_string(),
            "Authorization: Bearer $(TOKEN)".to_string(),
            pem.clone(),
            format!("{{\"type\": \"service_account\", \"private_key\": \"{}\"}}", pem.replace('\n', "\\n")),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".to_string(),
            "server.port=8080\nspring.datasource.url=jdbc:postgresql://db:5432/cards".to_string(),
            "-Xms256m -Xmx512m -Dfile.encoding=UTF-8".to_string(),
        ];
        let mut texts = Vec::new();
        for seed in &seeds {
            for variant in [
                seed.clone(),
                seed.to_ascii_lowercase(),
                seed.to_ascii_uppercase(),
            ] {
                for (before, after) in [
                    ("", ""),
                    ("x", "x"),
                    ("--token=", ""),
                    ("\"", "\","),
                    ("glpat-", " xox"),
                    ("é ", " ü"),
                    ("user:pass@", "://"),
                ] {
                    texts.push(format!("{before}{variant}{after}"));
                }
                // Truncated: markers cut off, bodies too short.
                for cut in [3, 8, 15, 16, 20, 30] {
                    if let Some(prefix) = variant.get(..cut.min(variant.len())) {
                        texts.push(format!("value {prefix}"));
                        texts.push(prefix.to_string());
                    }
                }
            }
        }
        texts.push(format!("{} {}", seeds[0], seeds[5]));
        texts.push(format!(
            "glpat-----BEGIN PRIVATE KEY-----\n{pem_body}-----END PRIVATE KEY-----"
        ));
        texts.push("aaaaaaaaaaaaaaaa".to_string());
        texts
    }

    #[test]
    fn the_prefilter_only_skips_detectors_that_would_not_fire() {
        let mut found = 0;
        for text in tricky_texts() {
            let every_detector = if text.len() < 16 {
                None
            } else {
                detect_candidates(&text, Candidates::ALL)
            };
            assert_eq!(detect_format(&text), every_detector, "{text:?}");
            found += usize::from(every_detector.is_some());
        }
        // The inputs exercise both outcomes.
        assert!(found > 100, "{found}");
    }

    /// The definitions of [`words`] and [`credential_name`] on lower-case words collected in a
    /// vector, as written before their allocation-free forms.
    fn words_reference(name: &str) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut previous_lower = false;
        for c in name.chars() {
            if !c.is_ascii_alphanumeric() {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                previous_lower = false;
                continue;
            }
            if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            current.push(c.to_ascii_lowercase());
        }
        if !current.is_empty() {
            words.push(current);
        }
        words
    }

    fn credential_name_reference(name: &str) -> Option<Kind> {
        let words = words_reference(name);
        if words.is_empty() || words.iter().any(|w| SETTING_WORDS.contains(&w.as_str())) {
            return None;
        }
        let pair = |first: &[&str], second: &str| {
            words
                .windows(2)
                .any(|w| first.contains(&w[0].as_str()) && w[1] == second)
        };
        let any = |test: &dyn Fn(&str) -> bool| words.iter().any(|w| test(w));
        if any(&|w| {
            w.contains("password")
                || w.contains("passwd")
                || ["pass", "pwd", "passphrase"].contains(&w)
        }) {
            return Some(Kind::Password);
        }
        if pair(&["private"], "key") || any(&|w| w.contains("privatekey")) {
            return Some(Kind::NamedPrivateKey);
        }
        if pair(&["api"], "key") || any(&|w| w.contains("apikey")) {
            return Some(Kind::ApiKey);
        }
        if pair(&["access"], "key") || any(&|w| w.contains("accesskey")) {
            return Some(Kind::AccessKey);
        }
        if any(&|w| w.contains("secret"))
            || pair(
                &["encryption", "signing", "master", "hmac", "session", "auth"],
                "key",
            )
        {
            return Some(Kind::Secret);
        }
        if any(&|w| w.ends_with("token") || w == "tokens") {
            return Some(Kind::Token);
        }
        if any(&|w| ["credential", "credentials", "creds", "cred"].contains(&w)) {
            return Some(Kind::Credentials);
        }
        None
    }

    #[test]
    fn credential_names_agree_with_the_word_list_definition() {
        let parts = [
            "password",
            "Password",
            "PASSWORD",
            "passwd",
            "pass",
            "Pass",
            "pwd",
            "passphrase",
            "passenger",
            "private",
            "Private",
            "key",
            "Key",
            "KEY",
            "privatekey",
            "api",
            "Api",
            "apikey",
            "APIKey",
            "access",
            "accesskey",
            "secret",
            "Secret",
            "secrets",
            "token",
            "Token",
            "tokens",
            "tokenizer",
            "authToken",
            "cred",
            "creds",
            "Credentials",
            "credential",
            "encryption",
            "signing",
            "hmac",
            "auth",
            "aws",
            "AWS",
            "db",
            "DB",
            "name",
            "Name",
            "file",
            "id",
            "ID",
            "url",
            "ttl",
            "min",
            "v2",
            "2",
            "x",
            "é",
            "",
        ];
        let separators = ["", "_", "-", ".", "/", " ", "ü"];
        let mut names = Vec::new();
        for first in parts {
            for separator in separators {
                for second in parts {
                    names.push(format!("{first}{separator}{second}"));
                    names.push(format!("--{first}{separator}{second}{separator}key"));
                    names.push(format!("{first}{second}Name"));
                }
            }
        }
        let mut announced = 0;
        for name in &names {
            let expected = credential_name_reference(name);
            assert_eq!(credential_name(name), expected, "{name:?}");
            announced += usize::from(expected.is_some());
            let lower: Vec<String> = words(name).map(str::to_ascii_lowercase).collect();
            assert_eq!(lower, words_reference(name), "{name:?}");
        }
        assert!(announced > 1000, "{announced}");
    }

    #[test]
    fn words_split_like_identifiers() {
        fn split(name: &str) -> Vec<&str> {
            words(name).collect()
        }
        assert_eq!(split("dbPassword"), ["db", "Password"]);
        assert_eq!(
            split("AWS_SECRET_ACCESS_KEY"),
            ["AWS", "SECRET", "ACCESS", "KEY"]
        );
        assert_eq!(split("--api-key"), ["api", "key"]);
        assert_eq!(split("APIKey"), ["APIKey"]);
        assert_eq!(split("v2Token"), ["v2", "Token"]);
        assert_eq!(split("pässWord"), ["p", "ss", "Word"]);
        assert!(split("--_./").is_empty());
    }

    /// The lower-casing definitions of the value checks, as written before their
    /// allocation-free forms.
    fn is_placeholder_reference(value: &str) -> bool {
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        let enclosed = [("<", ">"), ("[", "]"), ("{", "}"), ("(", ")"), ("%", "%")]
            .iter()
            .any(|(open, close)| value.starts_with(open) && value.ends_with(close));
        enclosed
            || value.is_empty()
            || lower.bytes().all(|b| b"*x.-_#?".contains(&b))
            || lower
                .bytes()
                .next()
                .is_some_and(|first| lower.bytes().all(|b| b == first))
            || PLACEHOLDER_WORDS.contains(&lower.as_str())
            || PLACEHOLDER_PARTS.iter().any(|part| lower.contains(part))
    }

    fn is_interpolated_reference(value: &str) -> bool {
        let lower = value.to_ascii_lowercase();
        [
            "$(",
            "${",
            "{{",
            "#{",
            "<%",
            "%(",
            "env[",
            "process.env",
            "os.environ",
            "getenv",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
            || value
                .strip_prefix('$')
                .and_then(|rest| rest.bytes().next())
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
    }

    fn is_number_or_duration_reference(value: &str) -> bool {
        let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let unit = &value[digits.len()..];
        !digits.is_empty()
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b"._-+".contains(&b))
            && digits.bytes().any(|b| b.is_ascii_digit())
            && [
                "", "ms", "s", "m", "h", "d", "w", "y", "k", "ki", "mi", "gi",
            ]
            .contains(&unit.to_ascii_lowercase().as_str())
    }

    #[test]
    fn value_checks_agree_with_their_lower_case_definitions() {
        let mut values: Vec<String> = [
            "",
            " ",
            "***",
            "xXx",
            "X.-_#?",
            "aaaa",
            "AAAa",
            "ééé",
            "<redacted>",
            "[x]",
            "%X%",
            "NULL",
            "N/A",
            "True",
            "REPLACE_ME",
            "YourPassword",
            "my-Example-key",
            "Token_Here",
            "${X}",
            "$(X)",
            "{{ .Values.x }}",
            "#{x}",
            "<%= x %>",
            "%(x)s",
            "ENV['X']",
            "Process.Env.X",
            "OS.ENVIRON['x']",
            "GetEnv(\"x\")",
            "$X",
            "$_x",
            "$1",
            "$",
            "30s",
            "30S",
            "10Gi",
            "10GI",
            "1.5h",
            "12",
            "+1",
            "-",
            "1x",
            "30sec",
            "ms",
            "Ki",
            "changeme",
            "ChangeMe",
            "P@ssw0rd",
            "ADMIN",
            "admin1",
            "Tr0ub4dor&3",
            "  quoted  ",
            "\"changeme\"",
            "a81bc81b-dead-4e5d-abff-90865d1e13b1",
        ]
        .iter()
        .map(|v| v.to_string())
        .collect();
        values.extend(PLACEHOLDER_WORDS.iter().map(|w| w.to_ascii_uppercase()));
        values.extend(
            PLACEHOLDER_PARTS
                .iter()
                .map(|w| format!("Q{}9", w.to_ascii_uppercase())),
        );
        values.extend(WEAK_PASSWORDS.iter().map(|w| w.to_ascii_uppercase()));
        for value in &values {
            assert_eq!(
                is_placeholder(value),
                is_placeholder_reference(value),
                "{value:?}"
            );
            assert_eq!(
                is_interpolated(value),
                is_interpolated_reference(value),
                "{value:?}"
            );
            assert_eq!(
                is_number_or_duration(value),
                is_number_or_duration_reference(value),
                "{value:?}"
            );
            let trimmed = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            assert_eq!(
                named_value(Kind::Password, value).map(|d| d.kind) == Some(Kind::WeakPassword),
                WEAK_PASSWORDS.contains(&trimmed.to_ascii_lowercase().as_str()),
                "{value:?}"
            );
        }
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("a!b"), None);
    }
}
