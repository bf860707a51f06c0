//! Shared text for the keys and short values of loaded objects. Manifests repeat a few hundred
//! keys (`name`, `metadata`, `app.kubernetes.io/name`) and values (`TCP`, `v1`, `true`) millions
//! of times; each thread keeps one copy of each short text it has seen and hands out shared
//! references to it, so a repeated key costs a pointer instead of an allocation.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

/// Texts longer than this are rarely repeated (digests, certificates, scripts): they get an
/// allocation of their own.
const MAX_LEN: usize = 48;

/// Distinct texts a thread keeps before it starts over, so that input made of unique keys
/// cannot grow the table without bound.
const CAPACITY: usize = 1 << 14;

thread_local! {
    static TABLE: RefCell<HashSet<Arc<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
}

/// `text` as shared text: the same allocation as earlier calls on this thread with equal
/// short text, a new one otherwise.
pub fn shared(text: &str) -> Arc<str> {
    if text.len() > MAX_LEN {
        return Arc::from(text);
    }
    TABLE.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(found) = table.get(text) {
            return found.clone();
        }
        if table.len() >= CAPACITY {
            table.clear();
        }
        let new: Arc<str> = Arc::from(text);
        table.insert(new.clone());
        new
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_shared_and_long_text_is_not() {
        let a = shared("app.kubernetes.io/name");
        let b = shared(&String::from("app.kubernetes.io/name"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "app.kubernetes.io/name");
        let long = "x".repeat(MAX_LEN + 1);
        assert!(!Arc::ptr_eq(&shared(&long), &shared(&long)));
        assert_eq!(&*shared(""), "");
    }

    #[test]
    fn a_full_table_starts_over() {
        let first = shared("first-key");
        for i in 0..CAPACITY + 10 {
            assert_eq!(&*shared(&format!("k{i}")), format!("k{i}"));
        }
        let again = shared("first-key");
        assert_eq!(first, again);
        assert!(!Arc::ptr_eq(&first, &again));
    }
}
