//! Shared text for the keys and short values of loaded objects. Manifests repeat a few hundred
//! keys (`name`, `metadata`, `app.kubernetes.io/name`) and values (`TCP`, `v1`, `true`) millions
//! of times; each thread keeps one copy of each short text it has seen and hands out shared
//! references to it, so a repeated key costs a pointer instead of an allocation.

use serde::{Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;

/// Texts longer than this are rarely repeated (digests, certificates, scripts): they get an
/// allocation of their own.
const MAX_LEN: usize = 48;

/// Distinct texts a thread keeps before it starts over, so that input made of unique keys
/// cannot grow the table without bound.
const CAPACITY: usize = 1 << 14;

/// The same for the texts of findings (messages, JSON Pointers, container names): longer,
/// and repeated across the objects a rule reports on.
const REPORT_MAX_LEN: usize = 1024;
const REPORT_CAPACITY: usize = 1 << 16;

/// Shared text of a loaded value: one pointer wide (the length sits with the text), so that a
/// map entry takes 24 bytes instead of 40.
pub type Str = arcstr::ArcStr;

type Table<T> = RefCell<HashSet<T, foldhash::fast::RandomState>>;

thread_local! {
    static TABLE: Table<Str> = RefCell::new(HashSet::default());
    static REPORT_TABLE: Table<Str> = RefCell::new(HashSet::default());
}

/// `text` as shared text: the same allocation as earlier calls on this thread with equal
/// short text, a new one otherwise.
pub fn shared(text: &str) -> Str {
    intern(&TABLE, text, MAX_LEN, CAPACITY)
}

fn intern<T>(
    table: &'static std::thread::LocalKey<Table<T>>,
    text: &str,
    max_len: usize,
    capacity: usize,
) -> T
where
    T: for<'a> From<&'a str> + Borrow<str> + std::hash::Hash + Eq + Clone,
{
    if text.len() > max_len {
        return T::from(text);
    }
    table.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(found) = table.get(text) {
            return found.clone();
        }
        if table.len() >= capacity {
            table.clear();
        }
        let new = T::from(text);
        table.insert(new.clone());
        new
    })
}

/// Immutable text shared between the findings that repeat it: a finding's message, JSON
/// Pointer and container name. Reads as a `str`.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Str);

impl Text {
    pub fn new(text: &str) -> Self {
        Self(intern(&REPORT_TABLE, text, REPORT_MAX_LEN, REPORT_CAPACITY))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self::new(&text)
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_shared_and_long_text_is_not() {
        let a = shared("app.kubernetes.io/name");
        let b = shared(&String::from("app.kubernetes.io/name"));
        assert!(Str::ptr_eq(&a, &b));
        assert_eq!(&*a, "app.kubernetes.io/name");
        let long = "x".repeat(MAX_LEN + 1);
        assert!(!Str::ptr_eq(&shared(&long), &shared(&long)));
        assert_eq!(&*shared(""), "");
    }

    #[test]
    fn texts_are_shared_and_read_as_str() {
        let a = Text::new("/spec/template/spec/containers/0/securityContext/privileged");
        let b = Text::from(String::from(
            "/spec/template/spec/containers/0/securityContext/privileged",
        ));
        assert!(Str::ptr_eq(&a.0, &b.0));
        assert_eq!(
            a,
            "/spec/template/spec/containers/0/securityContext/privileged"
        );
        assert_eq!(a.as_str(), &*b);
        assert_eq!(
            format!("{a}|{a:?}"),
            format!("{}|{:?}", a.as_str(), a.as_str())
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            format!("{:?}", a.as_str())
        );
    }

    #[test]
    fn a_full_table_starts_over() {
        let first = shared("first-key");
        for i in 0..CAPACITY + 10 {
            assert_eq!(&*shared(&format!("k{i}")), format!("k{i}"));
        }
        let again = shared("first-key");
        assert_eq!(first, again);
        assert!(!Str::ptr_eq(&first, &again));
    }
}
