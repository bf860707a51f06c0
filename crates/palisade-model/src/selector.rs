//! Label selectors evaluated exactly as Kubernetes does (`metav1.LabelSelector`):
//! `matchLabels` and every `matchExpressions` requirement must hold; `In` needs the key with a
//! listed value, `NotIn` holds when the key is absent or its value is not listed, `Exists` and
//! `DoesNotExist` test the key only. An empty selector selects everything.

use crate::value::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The text a label value is compared as (strings as they are, numbers and booleans as
/// written), without copying the common case, a string.
pub fn label_text(value: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        other => string_of(other).map(std::borrow::Cow::Owned),
    }
}

impl LabelSelector {
    /// Parse a `LabelSelector` object (`matchLabels` + `matchExpressions`). Errors describe the
    /// invalid part, as the API server would reject it.
    pub fn from_value(value: &Value) -> Result<Self, String> {
        let Some(map) = value.as_object() else {
            return Err("a label selector must be a mapping".into());
        };
        let mut requirements = Vec::new();
        if let Some(labels) = map.get("matchLabels").filter(|v| !v.is_null()) {
            let labels = labels.as_object().ok_or("matchLabels must be a mapping")?;
            for (key, v) in labels {
                let v =
                    string_of(v).ok_or_else(|| format!("matchLabels.{key} must be a string"))?;
                requirements.push(Requirement {
                    key: key.to_string(),
                    operator: Operator::In,
                    values: vec![v],
                });
            }
        }
        if let Some(expressions) = map.get("matchExpressions").filter(|v| !v.is_null()) {
            let expressions = expressions
                .as_array()
                .ok_or("matchExpressions must be a list")?;
            for expression in expressions {
                let key = expression
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or("a matchExpressions item needs a key")?;
                let operator = match expression.get("operator").and_then(Value::as_str) {
                    Some("In") => Operator::In,
                    Some("NotIn") => Operator::NotIn,
                    Some("Exists") => Operator::Exists,
                    Some("DoesNotExist") => Operator::DoesNotExist,
                    other => return Err(format!("unknown selector operator {other:?}")),
                };
                let values: Vec<String> = expression
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().filter_map(string_of).collect())
                    .unwrap_or_default();
                match operator {
                    Operator::In | Operator::NotIn if values.is_empty() => {
                        return Err(format!("operator {operator:?} on `{key}` needs values"));
                    }
                    Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                        return Err(format!("operator {operator:?} on `{key}` takes no values"));
                    }
                    _ => {}
                }
                requirements.push(Requirement {
                    key: key.to_string(),
                    operator,
                    values,
                });
            }
        }
        Ok(Self { requirements })
    }

    /// A plain `key: value` map selector, as Services and ReplicationControllers use.
    pub fn from_map(map: &Map) -> Self {
        Self {
            requirements: map
                .iter()
                .filter_map(|(k, v)| {
                    Some(Requirement {
                        key: k.to_string(),
                        operator: Operator::In,
                        values: vec![string_of(v)?],
                    })
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// A `key=value` every selected object carries (an `In` with one value), if any: a label
    /// index can narrow the candidates to it.
    pub fn required_pair(&self) -> Option<(&str, &str)> {
        self.requirements
            .iter()
            .find_map(|r| match r.values.as_slice() {
                [value] if r.operator == Operator::In => Some((r.key.as_str(), value.as_str())),
                _ => None,
            })
    }

    pub fn matches(&self, labels: &Map) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key).and_then(label_text);
            let listed = |v: &str| r.values.iter().any(|listed| listed == v);
            match r.operator {
                Operator::In => value.is_some_and(|v| listed(&v)),
                Operator::NotIn => value.is_none_or(|v| !listed(&v)),
                Operator::Exists => value.is_some(),
                Operator::DoesNotExist => value.is_none(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value;

    fn labels(v: Value) -> Map {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn match_labels_and_expressions() {
        let s = LabelSelector::from_value(&value!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["db"]},
                {"key": "canary", "operator": "DoesNotExist"}
            ]
        }))
        .expect("valid");
        assert!(s.matches(&labels(value!({"app": "web"}))));
        assert!(s.matches(&labels(value!({"app": "web", "tier": "front"}))));
        assert!(!s.matches(&labels(value!({"app": "web", "tier": "db"}))));
        assert!(!s.matches(&labels(value!({"app": "web", "canary": ""}))));
        assert!(!s.matches(&labels(value!({"app": "api"}))));
    }

    #[test]
    fn empty_selects_all_and_invalid_is_rejected() {
        let s = LabelSelector::from_value(&value!({})).expect("valid");
        assert!(s.matches(&labels(value!({"x": "y"}))));
        assert!(
            LabelSelector::from_value(&value!({"matchExpressions": [
            {"key": "a", "operator": "In", "values": []}]}))
            .is_err()
        );
        assert!(
            LabelSelector::from_value(&value!({"matchExpressions": [
            {"key": "a", "operator": "Gt", "values": ["1"]}]}))
            .is_err()
        );
    }
}
