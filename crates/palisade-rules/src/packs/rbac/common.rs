//! What the `RB` rules share: finding risky permissions in the rules of the input's Roles and
//! ClusterRoles and grading them by how far the role reaches (bound cluster-wide, in
//! namespaces, or only for named objects).

use crate::engine::Sink;
use crate::meta::Severity;
use crate::rbac::risk::Risk;
use crate::rbac::{BindingKind, Model, Origin, RoleKind, defaults};
use palisade_model::Inventory;

/// How far a role's grants reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A ClusterRole bound by a ClusterRoleBinding (directly or through aggregation).
    Cluster,
    /// Bound by RoleBindings only, or a Role.
    Namespace,
    /// Not bound by anything in the input.
    Unbound,
}

/// Severity of a risky rule for each reach; `named` applies when the rule lists
/// `resourceNames`.
#[derive(Debug, Clone, Copy)]
pub struct Grades {
    pub cluster: Severity,
    pub namespace: Severity,
    pub named: Severity,
}

impl Grades {
    pub const fn new(cluster: Severity, namespace: Severity, named: Severity) -> Self {
        Self {
            cluster,
            namespace,
            named,
        }
    }

    pub fn of(&self, reach: Reach, named: bool) -> Severity {
        if named {
            return self.named;
        }
        match reach {
            Reach::Cluster => self.cluster,
            Reach::Namespace | Reach::Unbound => self.namespace,
        }
    }
}

/// The reach of a role and the binding that gives it (for messages).
pub fn reach(model: &Model<'_>, role: usize) -> (Reach, Option<String>) {
    let mut best = (Reach::Unbound, None);
    let mut stack = vec![role];
    let mut seen = vec![role];
    while let Some(current) = stack.pop() {
        for &b in model.bindings_of_role(current) {
            let binding = &model.bindings[b];
            if binding.kind == BindingKind::ClusterRoleBinding {
                return (Reach::Cluster, Some(binding.display()));
            }
            if best.0 == Reach::Unbound {
                best = (Reach::Namespace, Some(binding.display()));
            }
        }
        for parent in model.aggregated_into(current) {
            if !seen.contains(&parent) {
                seen.push(parent);
                stack.push(parent);
            }
        }
    }
    if model.roles[role].kind == RoleKind::Role && best.0 == Reach::Unbound {
        return (Reach::Unbound, None);
    }
    best
}

/// Report every rule of the input's roles that carries one of `risks`.
pub fn check_roles(
    inventory: &Inventory,
    sink: &mut Sink<'_>,
    risks: &[Risk],
    grade: impl Fn(Risk, Reach, bool) -> Severity,
) {
    let model = sink.rbac(inventory);
    for (index, role) in model.roles.iter().enumerate() {
        let Origin::Input(object_index) = role.origin else {
            continue;
        };
        let object = model.object(object_index);
        if defaults::is_bootstrap_object(object) {
            continue;
        }
        let mut reached = None;
        let risks_of_rules = model.own_risks(index);
        for (number, rule) in role.own_rules.iter().enumerate() {
            for hit in risks_of_rules.get(number).into_iter().flatten() {
                if !risks.contains(&hit.risk) {
                    continue;
                }
                let (reach, binding) = reached.get_or_insert_with(|| reach(&model, index)).clone();
                let scope = match (reach, &binding, role.kind) {
                    (Reach::Cluster, Some(b), _) => format!("cluster-wide through {b}"),
                    (Reach::Namespace, Some(b), RoleKind::ClusterRole) => {
                        format!("in the namespaces of its RoleBindings, e.g. {b}")
                    }
                    (Reach::Namespace, Some(b), RoleKind::Role) => format!(
                        "in namespace {} through {b}",
                        role.namespace.as_deref().unwrap_or("")
                    ),
                    _ => "for whoever it gets bound to (no scanned binding names it)".to_string(),
                };
                let named = if hit.named_only {
                    format!(" (only {})", rule.resource_names.join(", "))
                } else {
                    String::new()
                };
                let finding = sink.report(
                    object,
                    format!("/rules/{number}"),
                    format!(
                        "{} `{}` {}: `{}`{named}, {scope}",
                        role.kind.as_str(),
                        role.name,
                        hit.risk.label(),
                        hit.what
                    ),
                );
                finding.severity = grade(hit.risk, reach, hit.named_only);
            }
        }
    }
}
