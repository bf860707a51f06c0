//! Whether one policy rule allows one request, with the matching semantics of the API
//! server's RBAC authorizer: `*` in verbs, apiGroups and resources matches anything
//! (subresources included); `*/sub` matches subresource `sub` of any resource; `pods` does not
//! match `pods/exec` and there is no `pods/*`; `resourceNames` restrict requests that carry a
//! name (a `list` has none, so a rule with names never allows it); a non-resource URL rule
//! ending in `*` matches by prefix.

use super::PolicyRule;

/// An API request as the authorizer sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Set for non-resource requests (`/healthz`, `/metrics`); the resource fields are then
    /// ignored.
    pub non_resource_url: Option<String>,
}

impl Request {
    /// A resource request; `resource` may carry a subresource (`pods/exec`).
    pub fn resource(verb: &str, api_group: &str, resource: &str) -> Self {
        let (resource, subresource) = match resource.split_once('/') {
            Some((r, s)) => (r, s),
            None => (resource, ""),
        };
        Self {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            ..Self::default()
        }
    }

    pub fn non_resource(verb: &str, url: &str) -> Self {
        Self {
            verb: verb.to_string(),
            non_resource_url: Some(url.to_string()),
            ..Self::default()
        }
    }

    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// The namespace the authorizer sees: a request for a Namespace object by name is in
    /// that namespace; non-resource requests are in none.
    pub fn effective_namespace(&self) -> Option<String> {
        if self.non_resource_url.is_some() {
            return None;
        }
        if self.namespace.is_none() && self.api_group.is_empty() && self.resource == "namespaces" {
            return self.name.clone();
        }
        self.namespace.clone()
    }

    /// `pods/exec`, the resource and subresource joined.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

pub fn resource_name_matches(rule: &PolicyRule, name: Option<&str>) -> bool {
    rule.resource_names.is_empty()
        || name.is_some_and(|name| rule.resource_names.iter().any(|n| n == name))
}

pub fn non_resource_url_matches(rule: &PolicyRule, url: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == url || (u.ends_with('*') && url.starts_with(u.trim_end_matches('*')))
    })
}

/// Whether `rule` allows `request` (the authorizer's `RuleAllows`).
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    if let Some(url) = &request.non_resource_url {
        return verb_matches(rule, &request.verb) && non_resource_url_matches(rule, url);
    }
    verb_matches(rule, &request.verb)
        && api_group_matches(rule, &request.api_group)
        && resource_matches(rule, &request.combined_resource(), &request.subresource)
        && resource_name_matches(rule, request.name.as_deref())
}

/// Whether `rule` allows `verb` on `resource` (with optional `/subresource`) of `group` for
/// at least one object name; `Some(true)` when only for some named objects.
pub fn allows_some(rule: &PolicyRule, verb: &str, group: &str, resource: &str) -> Option<bool> {
    // What `Request::resource(..).combined_resource()` gives, without building a request:
    // this runs some sixty times for every rule of every role.
    let (combined, subresource) = match resource.split_once('/') {
        Some((resource, "")) => (resource, ""),
        Some((_, subresource)) => (resource, subresource),
        None => (resource, ""),
    };
    let matches = verb_matches(rule, verb)
        && api_group_matches(rule, group)
        && resource_matches(rule, combined, subresource);
    matches.then_some(!rule.resource_names.is_empty())
}
