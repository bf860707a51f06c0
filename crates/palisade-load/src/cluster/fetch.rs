//! HTTP requests against the API server: one GET, and a paged list that turns each page
//! into trimmed object values as it arrives, so that only one page of raw JSON is held at once.

use super::discover::Resource;
use kube::client::{Body, Client};
use palisade_model::Value;
use palisade_model::value::MapBuilder;

/// `Accept` for a list of object metadata only (secret values never leave the server).
const METADATA_ONLY: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
/// Holds the object's full last applied form, secret values included.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Why a request did not give a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 401 or 403.
    Denied(String),
    /// 404: the resource went away between discovery and the list.
    Missing,
    /// Anything else: the transport failed, another status, a body that is not JSON.
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Denied(message) => write!(f, "forbidden: {message}"),
            Failure::Missing => write!(f, "not found"),
            Failure::Other(message) => write!(f, "{message}"),
        }
    }
}

fn status_message(status: http::StatusCode, body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| status.to_string())
}

/// GET a path and parse the answer as JSON.
pub(crate) async fn get(
    client: &Client,
    path_and_query: &str,
    accept: &str,
) -> Result<Value, Failure> {
    let request = http::Request::get(path_and_query)
        .header(http::header::ACCEPT, accept)
        .body(Body::empty())
        .map_err(|e| Failure::Other(format!("bad request {path_and_query}: {e}")))?;
    let response = client
        .send(request)
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    if status == http::StatusCode::FORBIDDEN || status == http::StatusCode::UNAUTHORIZED {
        return Err(Failure::Denied(status_message(status, &body)));
    }
    if status == http::StatusCode::NOT_FOUND {
        return Err(Failure::Missing);
    }
    if !status.is_success() {
        return Err(Failure::Other(format!(
            "{status}: {}",
            status_message(status, &body)
        )));
    }
    serde_json::from_slice(&body).map_err(|e| Failure::Other(format!("invalid JSON: {e}")))
}

/// Percent-encode a query value (continue tokens are base64).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What one list gave.
#[derive(Debug, Default)]
pub(crate) struct Listed {
    pub items: Vec<Value>,
    pub pages: usize,
    pub failure: Option<Failure>,
}

/// How to list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListOptions {
    pub page_size: u32,
    pub metadata_only: bool,
}

/// List every page of `resource` (in `namespace`, or everywhere). Each trimmed item goes
/// through `sift`, which may drop it; `on_page` is called with the number of items each
/// page held.
pub(crate) async fn list(
    client: &Client,
    resource: &Resource,
    namespace: Option<&str>,
    options: ListOptions,
    sift: &dyn Fn(Value) -> Option<Value>,
    on_page: &dyn Fn(usize),
) -> Listed {
    let path = resource.list_path(namespace);
    let accept = if options.metadata_only {
        METADATA_ONLY
    } else {
        "application/json"
    };
    let mut listed = Listed::default();
    let mut token: Option<String> = None;
    let mut restarted = false;
    loop {
        let mut url = format!("{path}?limit={}", options.page_size);
        if let Some(token) = &token {
            url.push_str("&continue=");
            url.push_str(&encode(token));
        }
        let page = match get(client, &url, accept).await {
            Ok(page) => page,
            // An expired continue token: start over once, as kubectl does.
            Err(Failure::Other(message))
                if token.is_some() && !restarted && message.starts_with("410") =>
            {
                restarted = true;
                token = None;
                listed.items.clear();
                continue;
            }
            Err(failure) => {
                listed.failure = Some(failure);
                return listed;
            }
        };
        listed.pages += 1;
        let Value::Object(mut page) = page else {
            listed.failure = Some(Failure::Other("the list is not a JSON object".into()));
            return listed;
        };
        token = page
            .get("metadata")
            .and_then(|m| m.get("continue"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let items = match page.remove("items") {
            Some(Value::Array(items)) => items.into_iter().collect(),
            _ => Vec::new(),
        };
        let read = items.len();
        listed.items.extend(
            items
                .into_iter()
                .filter_map(|item| trim(item, resource, options.metadata_only))
                .filter_map(sift),
        );
        on_page(read);
        if token.is_none() {
            return listed;
        }
    }
}

/// Give a list item its `apiVersion` and `kind` (list items lack them), and drop what no rule
/// reads: managed fields; for metadata-only lists, the last applied configuration too.
pub(crate) fn trim(item: Value, resource: &Resource, metadata_only: bool) -> Option<Value> {
    let Value::Object(mut map) = item else {
        return None;
    };
    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
        metadata.remove("managedFields");
        if metadata_only && let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
            annotations.remove(LAST_APPLIED);
        }
    }
    let mut out = MapBuilder::with_capacity(map.len() + 2);
    out.insert(
        "apiVersion".into(),
        Value::from(resource.group_version.as_str()),
    );
    out.insert("kind".into(), Value::from(resource.kind.as_str()));
    for (key, value) in map {
        if &*key == "apiVersion" || &*key == "kind" || (metadata_only && &*key != "metadata") {
            continue;
        }
        out.insert(key, value);
    }
    Some(Value::Object(out.build()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trim_fills_type_and_drops_managed_fields() {
        let resource = Resource {
            group_version: "v1".into(),
            name: "secrets".into(),
            kind: "Secret".into(),
            namespaced: true,
        };
        let item = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"name": "s", "managedFields": [{}],
                "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}", "a": "b"}},
            "data": {"password": "aHVudGVyMg=="}});
        let trimmed = trim(item.into(), &resource, true).unwrap();
        assert_eq!(
            trimmed,
            json!({"apiVersion": "v1", "kind": "Secret",
                   "metadata": {"name": "s", "annotations": {"a": "b"}}})
        );
        let keys: Vec<&str> = trimmed.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata"]);
    }

    #[test]
    fn encode_continue_tokens() {
        assert_eq!(encode("eyJ2Ijo=+/"), "eyJ2Ijo%3D%2B%2F");
    }
}
