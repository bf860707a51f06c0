//! External exposure: which workloads the outside world reaches, and through what. Services of
//! type NodePort or LoadBalancer or with `externalIPs`, Ingress backends
//! (`networking.k8s.io/v1`, and `serviceName` of the older API), and Gateway API
//! HTTPRoute/GRPCRoute/TLSRoute `backendRefs`, resolved to Services and then to the workloads
//! their selectors pick. A route's reference to a Service in another namespace counts only
//! when a ReferenceGrant in that namespace allows it, as Gateway implementations require.

use super::{DEFAULT_NAMESPACE, Network};
use palisade_model::Value;
use palisade_model::{Inventory, LabelSelector, Object};

/// How the outside reaches a Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    /// The Service itself: NodePort, LoadBalancer or `externalIPs`.
    Service,
    Ingress,
    /// A Gateway API route.
    Route,
}

/// One way in: an object that publishes a Service, and the workloads behind it.
#[derive(Debug, Clone)]
pub struct Exposure<'a> {
    pub channel: Channel,
    /// The Service, Ingress or route that publishes.
    pub via: &'a Object,
    /// JSON Pointer of the field that names the backend (or the Service type).
    pub path: String,
    /// What the outside sees: `LoadBalancer`, a host and path, a route's hostnames.
    pub entry: String,
    /// Namespace and name of the backend Service.
    pub service_namespace: String,
    pub service_name: String,
    /// The backend port as written (number or name), if any.
    pub port: Option<String>,
    /// Whether the Service is among the scanned objects.
    pub service_found: bool,
    /// Workload indices in the network.
    pub workloads: Vec<usize>,
}

fn namespace_of(object: &Object) -> &str {
    object.namespace().unwrap_or(DEFAULT_NAMESPACE)
}

fn service_workloads(network: &Network<'_>, service: &Object) -> Vec<usize> {
    let Some(selector) = service
        .get("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
    else {
        return Vec::new();
    };
    // Through the network's label index: Services without a namespace all share one.
    network.select_in(
        namespace_of(service),
        Some(&LabelSelector::from_map(selector)),
    )
}

fn port_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

struct Backend {
    path: String,
    entry: String,
    namespace: String,
    name: String,
    port: Option<String>,
}

fn ingress_backends(ingress: &Object) -> Vec<Backend> {
    let namespace = namespace_of(ingress).to_string();
    let mut backends = Vec::new();
    let mut push = |path: String, backend: &Value, entry: String| {
        let (name, port) = if let Some(service) = backend.get("service") {
            (
                service.get("name").and_then(Value::as_str),
                port_text(
                    service
                        .get("port")
                        .and_then(|p| p.get("number").or_else(|| p.get("name"))),
                ),
            )
        } else {
            (
                backend.get("serviceName").and_then(Value::as_str),
                port_text(backend.get("servicePort")),
            )
        };
        if let Some(name) = name {
            backends.push(Backend {
                path,
                entry,
                namespace: namespace.clone(),
                name: name.to_string(),
                port,
            });
        }
    };
    for field in ["defaultBackend", "backend"] {
        if let Some(backend) = ingress.get(&format!("/spec/{field}")) {
            push(
                format!("/spec/{field}"),
                backend,
                "any host (default backend)".to_string(),
            );
        }
    }
    let rules = ingress.get("/spec/rules").and_then(Value::as_array);
    for (r, rule) in rules.into_iter().flatten().enumerate() {
        let host = rule.get("host").and_then(Value::as_str).unwrap_or("*");
        let paths = rule.pointer("/http/paths").and_then(Value::as_array);
        for (p, item) in paths.into_iter().flatten().enumerate() {
            let Some(backend) = item.get("backend") else {
                continue;
            };
            let route = item.get("path").and_then(Value::as_str).unwrap_or("/");
            push(
                format!("/spec/rules/{r}/http/paths/{p}/backend"),
                backend,
                format!("{host}{route}"),
            );
        }
    }
    backends
}

/// Whether a ReferenceGrant in `to_namespace` lets `kind` routes of `from_namespace` refer to
/// Service `name`.
fn reference_granted(
    inventory: &Inventory,
    from_namespace: &str,
    kind: &str,
    to_namespace: &str,
    name: &str,
) -> bool {
    inventory.of_kind("ReferenceGrant").any(|grant| {
        if namespace_of(grant) != to_namespace {
            return false;
        }
        let from = grant.get("/spec/from").and_then(Value::as_array);
        let to = grant.get("/spec/to").and_then(Value::as_array);
        let from_ok = from.into_iter().flatten().any(|f| {
            f.get("group").and_then(Value::as_str) == Some("gateway.networking.k8s.io")
                && f.get("kind").and_then(Value::as_str) == Some(kind)
                && f.get("namespace").and_then(Value::as_str) == Some(from_namespace)
        });
        let to_ok = to.into_iter().flatten().any(|t| {
            t.get("group")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
                && t.get("kind").and_then(Value::as_str) == Some("Service")
                && t.get("name")
                    .and_then(Value::as_str)
                    .is_none_or(|n| n.is_empty() || n == name)
        });
        from_ok && to_ok
    })
}

/// The route kinds followed.
pub const ROUTE_KINDS: [&str; 3] = ["HTTPRoute", "GRPCRoute", "TLSRoute"];

fn route_backends(inventory: &Inventory, route: &Object) -> Vec<Backend> {
    let namespace = namespace_of(route).to_string();
    let hostnames: Vec<&str> = route
        .get("/spec/hostnames")
        .and_then(Value::as_array)
        .map(|h| h.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let entry = if hostnames.is_empty() {
        "any hostname of its Gateway".to_string()
    } else {
        hostnames.join(", ")
    };
    let mut backends = Vec::new();
    let rules = route.get("/spec/rules").and_then(Value::as_array);
    for (r, rule) in rules.into_iter().flatten().enumerate() {
        let refs = rule.get("backendRefs").and_then(Value::as_array);
        for (b, reference) in refs.into_iter().flatten().enumerate() {
            let group = reference.get("group").and_then(Value::as_str).unwrap_or("");
            let kind = reference
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("Service");
            if !group.is_empty() || kind != "Service" {
                continue;
            }
            let Some(name) = reference.get("name").and_then(Value::as_str) else {
                continue;
            };
            let target = reference
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or(&namespace);
            if target != namespace
                && !reference_granted(inventory, &namespace, route.kind(), target, name)
            {
                continue;
            }
            backends.push(Backend {
                path: format!("/spec/rules/{r}/backendRefs/{b}"),
                entry: entry.clone(),
                namespace: target.to_string(),
                name: name.to_string(),
                port: port_text(reference.get("port")),
            });
        }
    }
    backends
}

fn service_exposure(service: &Object) -> Option<(&'static str, String)> {
    let kind = service.get("/spec/type").and_then(Value::as_str);
    let external_ips = service
        .get("/spec/externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|ips| !ips.is_empty());
    match kind {
        Some("NodePort") => Some(("/spec/type", "a port on every node".to_string())),
        Some("LoadBalancer") => Some(("/spec/type", "a cloud load balancer".to_string())),
        _ if external_ips => Some(("/spec/externalIPs", "external IPs".to_string())),
        _ => None,
    }
}

/// Every way in, in the order of the objects.
pub fn exposures<'a>(inventory: &'a Inventory, network: &Network<'_>) -> Vec<Exposure<'a>> {
    exposures_of(inventory, network, true)
}

/// [`exposures`] through Ingresses and Gateway API routes only.
pub fn routed_exposures<'a>(inventory: &'a Inventory, network: &Network<'_>) -> Vec<Exposure<'a>> {
    exposures_of(inventory, network, false)
}

fn exposures_of<'a>(
    inventory: &'a Inventory,
    network: &Network<'_>,
    services: bool,
) -> Vec<Exposure<'a>> {
    let mut found = Vec::new();
    for object in inventory.objects() {
        let (channel, backends) = match object.kind() {
            "Service" if !services => continue,
            "Service" => {
                let Some((path, entry)) = service_exposure(object) else {
                    continue;
                };
                found.push(Exposure {
                    channel: Channel::Service,
                    via: object,
                    path: path.to_string(),
                    entry,
                    service_namespace: namespace_of(object).to_string(),
                    service_name: object.name().to_string(),
                    port: None,
                    service_found: true,
                    workloads: service_workloads(network, object),
                });
                continue;
            }
            "Ingress" => (Channel::Ingress, ingress_backends(object)),
            kind if ROUTE_KINDS.contains(&kind)
                && object.api_group() == "gateway.networking.k8s.io" =>
            {
                (Channel::Route, route_backends(inventory, object))
            }
            _ => continue,
        };
        for backend in backends {
            let service = inventory
                .get("Service", Some(&backend.namespace), &backend.name)
                .or_else(|| {
                    (backend.namespace == DEFAULT_NAMESPACE)
                        .then(|| inventory.get("Service", None, &backend.name))
                        .flatten()
                });
            found.push(Exposure {
                channel,
                via: object,
                path: backend.path,
                entry: backend.entry,
                service_namespace: backend.namespace,
                service_name: backend.name,
                port: backend.port,
                service_found: service.is_some(),
                workloads: service.map_or_else(Vec::new, |s| service_workloads(network, s)),
            });
        }
    }
    found
}
