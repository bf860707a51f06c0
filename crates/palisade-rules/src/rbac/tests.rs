//! Authorizer semantics, table-driven.

use super::*;
use crate::rbac::authorize::allows_some;
use palisade_model::PositionTree;
use palisade_model::value;

fn rule(value: Value) -> PolicyRule {
    PolicyRule::from_value(&value)
}

#[test]
fn rule_matching_follows_the_authorizer() {
    let cases: &[(Value, Request, bool)] = &[
        // Wildcard verbs, groups and resources match everything, subresources included.
        (
            value!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}),
            Request::resource("create", "", "pods/exec"),
            true,
        ),
        (
            value!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}),
            Request::resource("get", "", "pods"),
            true,
        ),
        // `pods` does not cover `pods/exec`.
        (
            value!({"verbs": ["*"], "apiGroups": [""], "resources": ["pods"]}),
            Request::resource("create", "", "pods/exec"),
            false,
        ),
        // There is no `pods/*` wildcard.
        (
            value!({"verbs": ["*"], "apiGroups": [""], "resources": ["pods/*"]}),
            Request::resource("create", "", "pods/exec"),
            false,
        ),
        // `*/scale` matches the scale subresource of anything.
        (
            value!({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/scale"]}),
            Request::resource("update", "apps", "deployments/scale"),
            true,
        ),
        (
            value!({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/scale"]}),
            Request::resource("update", "apps", "deployments"),
            false,
        ),
        (
            value!({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/scale"]}),
            Request::resource("update", "apps", "deployments/status"),
            false,
        ),
        // Group must match: core is "".
        (
            value!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["pods"]}),
            Request::resource("get", "", "pods"),
            false,
        ),
        (
            value!({"verbs": ["get"], "resources": ["pods"]}),
            Request::resource("get", "", "pods"),
            false,
        ),
        // Verbs are exact.
        (
            value!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}),
            Request::resource("list", "", "secrets"),
            false,
        ),
        // resourceNames: only named requests, and a list has no name.
        (
            value!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["secrets"],
                "resourceNames": ["tls"]}),
            Request::resource("get", "", "secrets").named("tls"),
            true,
        ),
        (
            value!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["secrets"],
                "resourceNames": ["tls"]}),
            Request::resource("get", "", "secrets").named("other"),
            false,
        ),
        (
            value!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["secrets"],
                "resourceNames": ["tls"]}),
            Request::resource("list", "", "secrets"),
            false,
        ),
        // Non-resource URLs: exact, `*`, and trailing `*` prefix.
        (
            value!({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}),
            Request::non_resource("get", "/healthz"),
            true,
        ),
        (
            value!({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]}),
            Request::non_resource("get", "/healthz/etcd"),
            true,
        ),
        (
            value!({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]}),
            Request::non_resource("get", "/healthz"),
            false,
        ),
        (
            value!({"verbs": ["get"], "nonResourceURLs": ["/api*"]}),
            Request::non_resource("get", "/apis/apps"),
            true,
        ),
        (
            value!({"verbs": ["*"], "nonResourceURLs": ["*"]}),
            Request::non_resource("post", "/anything"),
            true,
        ),
        // A resource rule never matches a non-resource request and vice versa.
        (
            value!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}),
            Request::non_resource("get", "/metrics"),
            false,
        ),
        (
            value!({"verbs": ["*"], "nonResourceURLs": ["*"]}),
            Request::resource("get", "", "pods"),
            false,
        ),
    ];
    for (value, request, expected) in cases {
        assert_eq!(
            rule_allows(&rule(value.clone()), request),
            *expected,
            "{value} {request:?}"
        );
    }
}

fn object(value: Value) -> Object {
    Object::new(value, "t.yaml".into(), 0, PositionTree::default())
}

fn inventory(values: Vec<Value>) -> Inventory {
    Inventory::new(values.into_iter().map(object).collect())
}

fn cluster_role(name: &str, labels: Value, rules: Value) -> Value {
    value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
           "metadata": {"name": name, "labels": labels}, "rules": rules})
}

fn binding(
    kind: &str,
    ns: Option<&str>,
    name: &str,
    role_kind: &str,
    role: &str,
    subjects: Value,
) -> Value {
    let mut metadata = value!({"name": name});
    if let Some(ns) = ns {
        metadata["namespace"] = value!(ns);
    }
    value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": metadata,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
           "subjects": subjects})
}

#[test]
fn bindings_subjects_and_scopes() {
    let inv = inventory(vec![
        cluster_role(
            "secret-reader",
            value!({}),
            value!([
            {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}]),
        ),
        value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
               "metadata": {"name": "exec", "namespace": "shop"},
               "rules": [{"verbs": ["create"], "apiGroups": [""], "resources": ["pods/exec"]}]}),
        // A RoleBinding to a ClusterRole grants only in its namespace.
        binding(
            "RoleBinding",
            Some("shop"),
            "rb-reader",
            "ClusterRole",
            "secret-reader",
            value!([{"kind": "User", "name": "alice"},
                       {"kind": "ServiceAccount", "name": "web"}]),
        ),
        binding(
            "RoleBinding",
            Some("shop"),
            "rb-exec",
            "Role",
            "exec",
            value!([{"kind": "Group", "name": "system:serviceaccounts:shop"}]),
        ),
        // A Role named from another namespace does not exist there.
        binding(
            "RoleBinding",
            Some("other"),
            "rb-missing",
            "Role",
            "exec",
            value!([{"kind": "User", "name": "bob"}]),
        ),
        binding(
            "ClusterRoleBinding",
            None,
            "crb",
            "ClusterRole",
            "secret-reader",
            value!([{"kind": "Group", "name": "auditors"},
                       // No namespace in a ClusterRoleBinding: matches nobody.
                       {"kind": "ServiceAccount", "name": "lost"}]),
        ),
    ]);
    let model = Model::build(&inv);
    let get_secret = |ns: &str| Request::resource("get", "", "secrets").in_namespace(ns);
    let exec = |ns: &str| Request::resource("create", "", "pods/exec").in_namespace(ns);
    let alice = Subject::user("alice").identity();
    let web = Subject::service_account("shop", "web").identity();
    let other_web = Subject::service_account("other", "web").identity();
    let auditor = Subject::group("auditors").identity();
    let bob = Subject::user("bob").identity();
    let lost = Subject::service_account("default", "lost").identity();
    let cases: Vec<(&Identity, Request, bool)> = vec![
        (&alice, get_secret("shop"), true),
        (&alice, get_secret("prod"), false),
        (&alice, Request::resource("get", "", "secrets"), false),
        (&web, get_secret("shop"), true),
        (&other_web, get_secret("shop"), false),
        (&web, exec("shop"), true),
        (&other_web, exec("shop"), false),
        (&auditor, get_secret("prod"), true),
        (&auditor, Request::resource("get", "", "secrets"), true),
        (&bob, exec("other"), false),
        (&lost, get_secret("default"), false),
    ];
    for (identity, request, expected) in cases {
        assert_eq!(
            model.is_allowed(identity, &request),
            expected,
            "{identity:?} {request:?}"
        );
    }
    // system:masters may do anything without a binding.
    let master = Subject::group(MASTERS_GROUP).identity();
    assert!(model.is_allowed(&master, &Request::resource("delete", "", "nodes")));

    let who: Vec<(String, String)> = model
        .who_can(&get_secret("shop"))
        .iter()
        .map(|a| (a.subject.display(), a.scope.as_str().to_string()))
        .collect();
    assert_eq!(
        who,
        [
            ("User alice".to_string(), "shop".to_string()),
            ("Group auditors".to_string(), "cluster".to_string()),
            ("Group system:masters".to_string(), "cluster".to_string()),
            ("ServiceAccount shop/web".to_string(), "shop".to_string()),
        ]
    );
    // Without a namespace, every namespace's RoleBindings count for their namespace.
    let who = model.who_can(&Request::resource("get", "", "secrets"));
    assert_eq!(who.len(), 4);
    // Cluster-scoped resources are never granted by RoleBindings.
    assert!(model.who_can(&Request::resource("get", "", "nodes")).len() == 1);
}

#[test]
fn aggregation_is_transitive_and_defaults_are_filled() {
    let inv = inventory(vec![
        cluster_role(
            "crd-editor",
            value!({"rbac.authorization.k8s.io/aggregate-to-edit": "true"}),
            value!([{"verbs": ["create"], "apiGroups": ["example.com"],
                             "resources": ["widgets"]}]),
        ),
        value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "mine"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"team": "a"}}]},
               "rules": []}),
        cluster_role(
            "part",
            value!({"team": "a"}),
            value!([
            {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}]),
        ),
        binding(
            "RoleBinding",
            Some("shop"),
            "admins",
            "ClusterRole",
            "admin",
            value!([{"kind": "User", "name": "alice"}]),
        ),
        binding(
            "RoleBinding",
            Some("shop"),
            "mine",
            "ClusterRole",
            "mine",
            value!([{"kind": "User", "name": "carol"}]),
        ),
    ]);
    let model = Model::build(&inv);
    assert!(model.defaults_used.iter().any(|n| n == "admin"));
    assert!(model.defaults_used.iter().any(|n| n == "edit"));
    let alice = Subject::user("alice").identity();
    // admin ← edit ← crd-editor (aggregate-to-edit, aggregated into edit, edit into admin).
    assert!(model.is_allowed(
        &alice,
        &Request::resource("create", "example.com", "widgets").in_namespace("shop")
    ));
    assert!(model.is_allowed(
        &alice,
        &Request::resource("create", "", "pods/exec").in_namespace("shop")
    ));
    // admin grants rolebindings but not namespaces/nodes.
    assert!(!model.is_allowed(&alice, &Request::resource("delete", "", "nodes")));
    let carol = Subject::user("carol").identity();
    assert!(model.is_allowed(
        &carol,
        &Request::resource("get", "", "configmaps").in_namespace("shop")
    ));
}

#[test]
fn subjects_parse() {
    assert_eq!(
        Subject::parse("sa:shop/web"),
        Ok(Subject::service_account("shop", "web"))
    );
    assert_eq!(
        Subject::parse("user:system:serviceaccount:shop:web"),
        Ok(Subject::service_account("shop", "web"))
    );
    assert_eq!(Subject::parse("group:devs"), Ok(Subject::group("devs")));
    assert_eq!(
        Subject::parse("user:system:kube-scheduler"),
        Ok(Subject::user("system:kube-scheduler"))
    );
    assert!(Subject::parse("alice").is_err());
    assert!(Subject::parse("sa:web").is_err());
    let anonymous = Subject::user(ANONYMOUS_USER).identity();
    assert_eq!(anonymous.groups, [UNAUTHENTICATED_GROUP]);
}

#[test]
fn allows_some_agrees_with_the_authorizer_for_unnamed_requests() {
    let rules = [
        value!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}),
        value!({"verbs": ["get", "create"], "apiGroups": [""], "resources": ["pods", "pods/exec"]}),
        value!({"verbs": ["update"], "apiGroups": ["*"], "resources": ["*/scale", "*/exec"]}),
        value!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/*", "a/b/c", "nodes/"]}),
        value!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["s"]}),
    ];
    let verbs = ["get", "create", "update", "delete"];
    let groups = ["", "apps", "rbac.authorization.k8s.io"];
    let resources = [
        "pods",
        "pods/exec",
        "pods/",
        "pods/*",
        "deployments/scale",
        "a/b/c",
        "nodes",
        "nodes/",
        "secrets",
        "userextras/*",
    ];
    let mut allowed = 0;
    for value in rules {
        let rule = rule(value);
        for verb in verbs {
            for group in groups {
                for resource in resources {
                    let expected = rule_allows(
                        &rule,
                        &Request::resource(verb, group, resource)
                            .named(rule.resource_names.first().map_or("x", |n| n)),
                    )
                    .then_some(!rule.resource_names.is_empty());
                    let got = allows_some(&rule, verb, group, resource);
                    assert_eq!(got, expected, "{rule:?} {verb} {group} {resource}");
                    allowed += usize::from(got.is_some());
                }
            }
        }
    }
    // The table exercises both answers.
    assert!(allowed > 20 && allowed < 400, "{allowed}");
}
