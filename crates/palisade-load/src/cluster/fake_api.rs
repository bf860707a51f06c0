//! A stand-in Kubernetes API server for tests: serves recorded API responses (one JSON file
//! per GET path, `INDEX.json` mapping request paths to files) over plain HTTP on 127.0.0.1.
//! It answers namespaced list paths by filtering the cluster-wide list, pages lists when a
//! `limit` is sent, answers `as=PartialObjectMetadataList` requests with metadata only, can
//! refuse chosen paths with 403, and can replicate the pod list to a given size.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Request paths (without query) answered with 403 Forbidden.
    pub forbidden: BTreeSet<String>,
    /// Replicate the items of `/api/v1/pods` until there are this many.
    pub pods: Option<usize>,
}

/// What the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: String,
    pub query: String,
    pub accept: String,
    pub status: u16,
}

pub struct FakeApi {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeApi {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A kubeconfig naming this server as context `recorded` (and `other`, same server).
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: recorded\nclusters:\n- name: recorded\n  cluster:\n    server: {url}\ncontexts:\n- name: recorded\n  context:\n    cluster: recorded\n    user: tester\n- name: other\n  context:\n    cluster: recorded\n    user: tester\nusers:\n- name: tester\n  user:\n    token: not-a-real-token\n",
            url = self.url()
        )
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The recorded responses, or `None` when the corpus is absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        dir.join("../../../shared/corpus/live/k8s-1.32"),
        dir.join("../../shared/corpus/live/k8s-1.32"),
    ]
    .into_iter()
    .find(|p| p.join("INDEX.json").is_file())
}

struct Recorded {
    index: BTreeMap<String, PathBuf>,
    behaviour: Behaviour,
    pods: Option<Arc<Value>>,
}

impl Recorded {
    fn load(&self, path: &str) -> Option<Value> {
        let file = self.index.get(path)?;
        serde_json::from_slice(&std::fs::read(file).ok()?).ok()
    }
}

/// Start serving `dir` on a free port; the server thread lives as long as the process.
pub fn start(dir: &Path, behaviour: Behaviour) -> FakeApi {
    let index: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(dir.join("INDEX.json")).unwrap()).unwrap();
    let index = index.into_iter().map(|(k, v)| (k, dir.join(v))).collect();
    let mut recorded = Recorded {
        index,
        behaviour,
        pods: None,
    };
    if let Some(target) = recorded.behaviour.pods {
        let mut list = recorded.load("/api/v1/pods").unwrap();
        let items = list["items"].as_array().unwrap().clone();
        let mut grown = Vec::with_capacity(target);
        let mut round = 0;
        while grown.len() < target && !items.is_empty() {
            for item in &items {
                if grown.len() == target {
                    break;
                }
                let mut item = item.clone();
                if round > 0 {
                    let meta = &mut item["metadata"];
                    let name = format!("{}-r{round}", meta["name"].as_str().unwrap_or(""));
                    let uid = format!("{}-r{round}", meta["uid"].as_str().unwrap_or(""));
                    meta["name"] = Value::from(name);
                    meta["uid"] = Value::from(uid);
                }
                grown.push(item);
            }
            round += 1;
        }
        list["items"] = Value::Array(grown);
        recorded.pods = Some(Arc::new(list));
    }
    let recorded = Arc::new(recorded);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let recorded = recorded.clone();
            let log = log.clone();
            std::thread::spawn(move || serve_connection(stream, &recorded, &log));
        }
    });
    FakeApi { port, seen }
}

fn serve_connection(stream: TcpStream, recorded: &Recorded, log: &Mutex<Vec<Seen>>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut accept = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "accept" => accept = value.trim().to_string(),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        if length > 0 {
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let (status, body) = respond(recorded, path, query, &accept);
        log.lock().unwrap().push(Seen {
            path: path.to_string(),
            query: query.to_string(),
            accept: accept.clone(),
            status,
        });
        let reason = match status {
            200 => "OK",
            403 => "Forbidden",
            410 => "Gone",
            _ => "Not Found",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut response = head.into_bytes();
        response.extend_from_slice(&body);
        if stream.write_all(&response).is_err() {
            return;
        }
    }
}

fn status(code: u16, reason: &str, message: String) -> (u16, Vec<u8>) {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    (code, serde_json::to_vec(&body).unwrap())
}

fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `/api/v1/namespaces/NS/pods` → (`/api/v1/pods`, `NS`).
fn namespaced(path: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let at = parts.iter().position(|p| *p == "namespaces")?;
    if parts.len() != at + 3 || !(at == 2 || at == 3) {
        return None;
    }
    let mut cluster_wide: Vec<&str> = parts[..at].to_vec();
    cluster_wide.push(parts[at + 2]);
    Some((
        format!("/{}", cluster_wide.join("/")),
        parts[at + 1].to_string(),
    ))
}

fn respond(recorded: &Recorded, path: &str, query: &str, accept: &str) -> (u16, Vec<u8>) {
    if recorded.behaviour.forbidden.contains(path) {
        return status(
            403,
            "Forbidden",
            format!("forbidden: User \"tester\" cannot list resource at {path}"),
        );
    }
    let replicated = |p: &str| {
        (p == "/api/v1/pods")
            .then(|| recorded.pods.clone())
            .flatten()
    };
    if let Some(pods) = replicated(path) {
        return page(&pods, None, query, accept);
    }
    if let Some((wide, ns)) = namespaced(path)
        && let Some(pods) = replicated(&wide)
    {
        return page(&pods, Some(&ns), query, accept);
    }
    let (value, namespace) = match recorded.load(path) {
        Some(value) => (value, None),
        None => match namespaced(path) {
            Some((wide, _)) if recorded.behaviour.forbidden.contains(&wide) => {
                return status(403, "Forbidden", format!("forbidden: {path}"));
            }
            Some((wide, ns)) => match recorded.load(&wide) {
                Some(value) => (value, Some(ns)),
                None => return status(404, "NotFound", format!("{path} not found")),
            },
            None => return status(404, "NotFound", format!("{path} not found")),
        },
    };
    page(&value, namespace.as_deref(), query, accept)
}

/// One page of a list (or the whole of any other document).
fn page(value: &Value, namespace: Option<&str>, query: &str, accept: &str) -> (u16, Vec<u8>) {
    let Some(items) = value.get("items").and_then(Value::as_array) else {
        return (200, serde_json::to_vec(value).unwrap());
    };
    let items: Vec<&Value> = items
        .iter()
        .filter(|item| namespace.is_none() || item["metadata"]["namespace"].as_str() == namespace)
        .collect();
    let total = items.len();
    let start: usize = match query_param(query, "continue") {
        Some(token) => match token.strip_prefix("offset-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return status(410, "Expired", "bad continue token".into()),
        },
        None => 0,
    };
    let limit: usize = query_param(query, "limit")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let end = start.saturating_add(limit).min(total);
    let page: Vec<Value> = items[start.min(end)..end]
        .iter()
        .map(|v| (*v).clone())
        .collect();
    let metadata_only = accept.contains("as=PartialObjectMetadataList");
    let page = if metadata_only {
        page.into_iter()
            .map(|item| {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                       "metadata": item.get("metadata").cloned().unwrap_or_default()})
            })
            .collect()
    } else {
        page
    };
    let mut value = Value::Object(
        value
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "items")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let mut meta = Map::new();
    meta.insert("resourceVersion".into(), Value::from("1035"));
    if end < total {
        meta.insert("continue".into(), Value::from(format!("offset-{end}")));
        meta.insert("remainingItemCount".into(), Value::from(total - end));
    }
    if metadata_only {
        value["kind"] = Value::from("PartialObjectMetadataList");
        value["apiVersion"] = Value::from("meta.k8s.io/v1");
    }
    value["metadata"] = Value::Object(meta);
    value["items"] = Value::Array(page);
    (200, serde_json::to_vec(&value).unwrap())
}
