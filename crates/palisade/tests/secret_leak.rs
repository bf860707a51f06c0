//! End-to-end check that reports never repeat a credential: a manifest full of fake secrets
//! (env values, ConfigMap data, annotations, arguments, a Secret and its last-applied copy) is
//! scanned in every format, and no secret, nor any five characters of it past its first four,
//! may appear in the output, while the findings that point at them must.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const FILE: &str = "credentials.yaml";

/// Fake credentials, each distinct, with characters that no format escapes.
struct Secrets {
    db_password: String,
    aws_key_id: String,
    aws_secret: String,
    url_password: String,
    github_token: String,
    slack_path: String,
    gitlab_token: String,
    smtp_password: String,
    file_password: String,
    private_key_body: String,
    api_key: String,
    flag_password: String,
    jwt: String,
    secret_password: String,
    secret_data: String,
    suppressed_password: String,
}

/// A deterministic pseudo-random string over `alphabet` (xorshift), so that five-character
/// windows of different secrets, and of the surrounding text, do not meet by chance.
fn random(seed: u64, length: usize, alphabet: &[u8]) -> String {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % alphabet.len() as u64) as usize])
        })
        .collect()
}

/// Base64url without padding, for the JWT's payload.
fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut buffer = [0u8; 3];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let n = (u32::from(buffer[0]) << 16) | (u32::from(buffer[1]) << 8) | u32::from(buffer[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ234567";

fn secrets() -> Secrets {
    let base64url = |seed, length| random(seed, length, ALNUM);
    Secrets {
        db_password: format!("{}!{}", random(1, 8, ALNUM), random(2, 7, ALNUM)),
        aws_key_id: format!("AKIA{}", random(3, 16, UPPER_DIGITS)),
        aws_secret: format!("{}7aZ", random(4, 37, ALNUM)),
        url_password: format!("{}!{}", random(5, 6, ALNUM), random(6, 6, ALNUM)),
        github_token: format!("ghp_{}", random(7, 36, ALNUM)),
        slack_path: format!(
            "T{}/B{}/{}",
            random(8, 8, UPPER_DIGITS),
            random(9, 8, UPPER_DIGITS),
            random(10, 24, ALNUM)
        ),
        gitlab_token: format!("glpat-{}", random(11, 20, ALNUM)),
        smtp_password: format!("{}@{}", random(12, 7, ALNUM), random(13, 7, ALNUM)),
        file_password: format!("{}!{}", random(14, 6, ALNUM), random(15, 8, ALNUM)),
        private_key_body: random(16, 64, ALNUM),
        api_key: random(17, 24, ALNUM),
        flag_password: format!("{}!{}", random(18, 7, ALNUM), random(19, 7, ALNUM)),
        // Header `{"alg":"HS256","typ":"JWT"}`, a random subject, a random signature.
        jwt: format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}",
            base64url_encode(format!("{{\"sub\":\"{}\"}}", random(20, 12, ALNUM)).as_bytes()),
            base64url(21, 43)
        ),
        secret_password: format!("{}!{}", random(22, 8, ALNUM), random(23, 8, ALNUM)),
        secret_data: format!("{}==", random(24, 22, ALNUM)),
        suppressed_password: format!("{}!{}", random(25, 8, ALNUM), random(26, 8, ALNUM)),
    }
}

impl Secrets {
    fn all(&self) -> Vec<&str> {
        vec![
            &self.db_password,
            &self.aws_key_id,
            &self.aws_secret,
            &self.url_password,
            &self.github_token,
            &self.slack_path,
            &self.gitlab_token,
            &self.smtp_password,
            &self.file_password,
            &self.private_key_body,
            &self.api_key,
            &self.flag_password,
            &self.jwt,
            &self.secret_password,
            &self.secret_data,
            &self.suppressed_password,
        ]
    }

    fn manifest(&self) -> String {
        let last_applied = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "api-db", "namespace": "shop"},
            "stringData": {"password": self.secret_password},
        })
        .to_string();
        format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    ci.example/github-token: "{github}"
    ci.example/alerts: "https://hooks.slack.com/services/{slack}"
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: registry.example/api:2.3.1
        args:
        - "--api-key={api_key}"
        - "--db-password"
        - "{flag_password}"
        - "--upstream-auth=Bearer {jwt}"
        env:
        - name: DB_PASSWORD
          value: "{db_password}"
        - name: AWS_ACCESS_KEY_ID
          value: "{aws_key_id}"
        - name: AWS_SECRET_ACCESS_KEY
          value: "{aws_secret}"
        - name: DATABASE_URL
          value: "postgres://api:{url_password}@db.shop.svc:5432/shop"
        - name: CACHE_PASSWORD
          valueFrom:
            secretKeyRef:
              name: api-db
              key: password
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: shop
data:
  SMTP_PASSWORD: "{smtp_password}"
  GITLAB_TOKEN: "{gitlab}"
  application.properties: |
    server.port=8080
    spring.datasource.password={file_password}
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    {key_body}
    {key_body}
    -----END PRIVATE KEY-----
---
apiVersion: v1
kind: Secret
metadata:
  name: api-db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{last_applied}'
type: Opaque
stringData:
  password: "{secret_password}"
data:
  token: "{secret_data}"
---
apiVersion: v1
kind: Pod
metadata:
  name: legacy
  namespace: shop
  annotations:
    palisade.dev/ignore: SE001
    palisade.dev/ignore-reason: scheduled for removal
spec:
  containers:
  - name: legacy
    image: registry.example/legacy:0.9.0
    env:
    - name: ADMIN_PASSWORD
      value: "{suppressed_password}"
"#,
            github = self.github_token,
            slack = self.slack_path,
            api_key = self.api_key,
            flag_password = self.flag_password,
            jwt = self.jwt,
            db_password = self.db_password,
            aws_key_id = self.aws_key_id,
            aws_secret = self.aws_secret,
            url_password = self.url_password,
            smtp_password = self.smtp_password,
            gitlab = self.gitlab_token,
            file_password = self.file_password,
            key_body = self.private_key_body,
            secret_password = self.secret_password,
            secret_data = self.secret_data,
            suppressed_password = self.suppressed_password,
        )
    }
}

/// Runs the binary in `dir` and returns its standard output and error.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("palisade")
        .expect("binary built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{args:?} exited with {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

/// Fails if `output` holds a secret or any five characters of it after its first four.
fn assert_no_leak(label: &str, output: &str, secrets: &Secrets) {
    for secret in secrets.all() {
        assert!(
            !output.contains(secret),
            "{label}: a whole secret appears in the output"
        );
        let tail = &secret.as_bytes()[4..];
        for window in tail.windows(5) {
            let window = std::str::from_utf8(window).expect("ASCII secrets");
            assert!(
                !output.contains(window),
                "{label}: `{window}`, part of a secret, appears in the output:\n{output}"
            );
        }
    }
}

fn setup() -> (tempfile::TempDir, Secrets) {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = secrets();
    std::fs::write(dir.path().join(FILE), secrets.manifest()).expect("write manifest");
    (dir, secrets)
}

#[test]
fn the_fixture_holds_what_the_test_expects() {
    let secrets = secrets();
    let all = secrets.all();
    for (index, secret) in all.iter().enumerate() {
        assert!(secret.len() > 8, "{secret}");
        assert!(
            !secret.contains(['&', '<', '>', '"', '\'', '\\', '/']) || index == 5,
            "{secret} holds a character some format escapes"
        );
    }
    assert_eq!(secrets.aws_key_id.len(), 20);
    assert_eq!(secrets.aws_secret.len(), 40);
}

#[test]
fn the_leak_check_catches_partial_leaks() {
    let secrets = secrets();
    for secret in secrets.all() {
        // The first four characters are allowed (`AKIA…`); five more are a leak.
        assert_no_leak(
            "prefix",
            &format!("holds a token (`{}…`)", &secret[..4]),
            &secrets,
        );
        let partial = format!("value ends in {}", &secret[secret.len() - 5..]);
        let caught = std::panic::catch_unwind(|| assert_no_leak("partial", &partial, &secrets));
        assert!(caught.is_err(), "a partial leak of {secret} went unnoticed");
    }
}

#[test]
fn findings_point_at_every_credential() {
    let (dir, _) = setup();
    let output = run(dir.path(), &["scan", FILE, "--format", "json"]);
    let report: Value = serde_json::from_str(&output).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    let found = |code: &str, path: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == code && f["path"] == path)
    };
    let deployment = "/spec/template/spec/containers/0";
    for path in [
        "/metadata/annotations/ci.example~1github-token".to_string(),
        "/metadata/annotations/ci.example~1alerts".to_string(),
        format!("{deployment}/args/0"),
        format!("{deployment}/args/2"),
        format!("{deployment}/args/3"),
        format!("{deployment}/env/0/value"),
        format!("{deployment}/env/1/value"),
        format!("{deployment}/env/2/value"),
        format!("{deployment}/env/3/value"),
        "/data/SMTP_PASSWORD".to_string(),
        "/data/GITLAB_TOKEN".to_string(),
        "/data/application.properties".to_string(),
        "/data/tls.key".to_string(),
        "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration".to_string(),
    ] {
        assert!(found("SE001", &path), "no SE001 finding at {path}");
    }
    assert!(found("SE002", "/stringData"));
    assert!(found("SE002", "/data"));
    assert!(found(
        "SE003",
        &format!("{deployment}/env/4/valueFrom/secretKeyRef")
    ));
    let se001 = findings.iter().filter(|f| f["rule"] == "SE001").count();
    assert_eq!(se001, 14, "{findings:#?}");
    let messages: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(messages.contains(
        &"env `AWS_ACCESS_KEY_ID` of container `api` holds an AWS access key ID in plain text \
          (`AKIA…`)"
    ));
    let suppressed = report["suppressed"].as_array().expect("suppressed");
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
}

#[test]
fn no_format_repeats_a_secret() {
    let (dir, secrets) = setup();
    for format in ["text", "json", "sarif", "junit"] {
        for verbose in [false, true] {
            let mut args = vec!["scan", FILE, "--format", format, "--fail-on", "none"];
            if verbose {
                args.push("--verbose");
            }
            let output = run(dir.path(), &args);
            assert!(output.contains("SE001"), "{format}: no SE001 finding");
            assert_no_leak(
                &format!("scan {format} verbose={verbose}"),
                &output,
                &secrets,
            );
        }
    }
    let written = dir.path().join("report.sarif");
    run(
        dir.path(),
        &[
            "scan",
            FILE,
            "--format",
            "sarif",
            "--output",
            "report.sarif",
        ],
    );
    let sarif = std::fs::read_to_string(written).expect("report written");
    assert_no_leak("scan --output", &sarif, &secrets);
    for format in ["text", "json"] {
        let output = run(dir.path(), &["pss", FILE, "--format", format]);
        assert_no_leak(&format!("pss {format}"), &output, &secrets);
    }
    for args in [["explain", "SE001"], ["rules", "--format=json"]] {
        let output = run(dir.path(), &args);
        assert_no_leak(&args.join(" "), &output, &secrets);
    }
}
