//! The value of a loaded object: a compact JSON tree. Strings are shared and one pointer wide
//! (`arcstr`), lists and maps are thin vectors sized exactly (`thin-vec`: the length sits with
//! the items), and a map is a list of entries in source order looked up by a linear scan
//! (Kubernetes maps are small). A value takes 16 bytes and a map entry 24, about a quarter of
//! the memory of a `serde_json::Value` with ordered maps. The API mirrors `serde_json::Value` where Palisade
//! uses it, and serializes and prints exactly as `serde_json` does.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
pub use thin_vec::ThinVec;

use crate::intern::{Str, shared};

/// A JSON value.
#[derive(Clone, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    Array(ThinVec<Value>),
    Object(Map),
}

/// A JSON object: entries in insertion (source) order, keys unique.
#[derive(Clone, Default)]
pub struct Map {
    entries: ThinVec<(Str, Value)>,
}

#[doc(hidden)]
pub use serde_json::json as __json;

/// A [`Value`] from JSON syntax, as `serde_json::json!` writes it.
#[macro_export]
macro_rules! value {
    ($($json:tt)+) => {
        $crate::Value::from($crate::value::__json!($($json)+))
    };
}

static NULL: Value = Value::Null;

/// Maps with more entries than this find duplicate keys through a hash table while they are
/// built.
const SCAN_LIMIT: usize = 16;

/// Collects map entries, keeping each key once: a repeated key keeps the place of its first
/// occurrence and takes the last value (as an ordered map's `insert` does).
#[derive(Debug, Default)]
pub struct MapBuilder {
    entries: ThinVec<(Str, Value)>,
    index: Option<HashMap<Str, usize>>,
}

impl MapBuilder {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: ThinVec::with_capacity(capacity),
            index: None,
        }
    }

    /// Where `key` is, if present.
    pub fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| &**k == key),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add an entry; when the key is already present its value is replaced in place. Returns
    /// the index of the entry and whether the key was new.
    pub fn insert(&mut self, key: Str, value: Value) -> (usize, bool) {
        if let Some(at) = self.position(&key) {
            self.entries[at].1 = value;
            return (at, false);
        }
        (self.append(key, value), true)
    }

    /// Add an entry whose key the caller knows is absent (from [`MapBuilder::position`]);
    /// returns its index.
    pub fn append(&mut self, key: Str, value: Value) -> usize {
        debug_assert!(!self.contains_key(&key));
        let at = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), at);
        } else if at >= SCAN_LIMIT {
            let mut index: HashMap<Str, usize> = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            index.insert(key.clone(), at);
            self.index = Some(index);
        }
        self.entries.push((key, value));
        at
    }

    /// Replace the value of the entry at `at` (from [`MapBuilder::position`]).
    pub fn replace(&mut self, at: usize, value: Value) {
        if let Some(entry) = self.entries.get_mut(at) {
            entry.1 = value;
        }
    }

    pub fn build(mut self) -> Map {
        // Loaded maps live until the report is written: no spare capacity.
        if self.entries.capacity() > self.entries.len() {
            self.entries.shrink_to_fit();
        }
        Map {
            entries: self.entries,
        }
    }
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    pub fn get_key_value(&self, key: &str) -> Option<(&str, &Value)> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(k, v)| (&**k, v))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            inner: self.entries.iter(),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| &**k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Set `key` to `value`: in place when present, else as a new last entry. Returns the
    /// value replaced. Rebuilds the entry list when the key is new, so meant for rare edits.
    pub fn insert(&mut self, key: impl Into<Str>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        self.entries.shrink_to_fit();
        None
    }

    /// Remove `key`, keeping the order of the other entries.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(k, _)| &**k == key)?;
        let (_, value) = self.entries.remove(at);
        self.entries.shrink_to_fit();
        Some(value)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[(Str, Value)] {
        &self.entries
    }
}

/// Iterator over the entries of a [`Map`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    inner: std::slice::Iter<'a, (Str, Value)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(k, v)| (&**k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(k, v)| (&**k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Map {
    type Item = (Str, Value);
    type IntoIter = thin_vec::IntoIter<(Str, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Into<Str>> FromIterator<(K, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (K, Value)>>(iter: T) -> Self {
        let iter = iter.into_iter();
        let mut builder = MapBuilder::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            builder.insert(k.into(), v);
        }
        builder.build()
    }
}

/// Order does not matter, as for `serde_json`'s ordered maps.
impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|o| o == v))
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => write!(f, "Number({n})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(items) => {
                f.write_str("Array ")?;
                f.debug_list().entries(items.iter()).finish()
            }
            Value::Object(map) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(map, f)
            }
        }
    }
}

/// What a [`Value`] can be indexed by: a key of an object or a position in an array.
pub trait ValueIndex {
    fn index_into<'v>(&self, value: &'v Value) -> Option<&'v Value>;

    /// For `value[index] = ...`: as `serde_json` does, `Null` becomes an empty object and a
    /// missing key is added; anything else panics.
    fn index_or_insert<'v>(&self, value: &'v mut Value) -> &'v mut Value;
}

impl ValueIndex for str {
    fn index_into<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        match value {
            Value::Object(map) => map.get(self),
            _ => None,
        }
    }

    fn index_or_insert<'v>(&self, value: &'v mut Value) -> &'v mut Value {
        if value.is_null() {
            *value = Value::Object(Map::new());
        }
        let Value::Object(map) = value else {
            panic!("cannot access key {self:?} in a JSON value that is not an object");
        };
        if !map.contains_key(self) {
            map.insert(self, Value::Null);
        }
        match map.get_mut(self) {
            Some(slot) => slot,
            None => unreachable!("the key was just inserted"),
        }
    }
}

impl ValueIndex for String {
    fn index_into<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(value)
    }

    fn index_or_insert<'v>(&self, value: &'v mut Value) -> &'v mut Value {
        self.as_str().index_or_insert(value)
    }
}

impl ValueIndex for usize {
    fn index_into<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        match value {
            Value::Array(items) => items.get(*self),
            _ => None,
        }
    }

    fn index_or_insert<'v>(&self, value: &'v mut Value) -> &'v mut Value {
        match value {
            Value::Array(items) => {
                let len = items.len();
                match items.get_mut(*self) {
                    Some(item) => item,
                    None => panic!("cannot access index {self} of a JSON array of length {len}"),
                }
            }
            _ => panic!("cannot access index {self} of a JSON value that is not an array"),
        }
    }
}

impl<T: ValueIndex + ?Sized> ValueIndex for &T {
    fn index_into<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        (**self).index_into(value)
    }

    fn index_or_insert<'v>(&self, value: &'v mut Value) -> &'v mut Value {
        (**self).index_or_insert(value)
    }
}

impl<I: ValueIndex> std::ops::IndexMut<I> for Value {
    fn index_mut(&mut self, index: I) -> &mut Value {
        index.index_or_insert(self)
    }
}

impl<I: ValueIndex> std::ops::Index<I> for Value {
    type Output = Value;

    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

impl Value {
    /// A field of an object or an item of an array.
    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    /// A field of an object, for editing.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(map) => map.get_mut(key),
            _ => None,
        }
    }

    /// The value at a JSON Pointer (RFC 6901).
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        crate::pointer::get(self, pointer)
    }

    /// Take the value out, leaving `Null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    pub fn as_null(&self) -> Option<()> {
        self.is_null().then_some(())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_i64(&self) -> bool {
        self.as_number().is_some_and(Number::is_i64)
    }

    pub fn is_u64(&self) -> bool {
        self.as_number().is_some_and(Number::is_u64)
    }

    pub fn is_f64(&self) -> bool {
        self.as_number().is_some_and(Number::is_f64)
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_json(&self) -> serde_json::Value {
        self.into()
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(shared(&s)),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => Value::Object(Map {
                entries: map
                    .into_iter()
                    .map(|(k, v)| (shared(&k), Value::from(v)))
                    .collect(),
            }),
        }
    }
}

impl From<&Value> for serde_json::Value {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(serde_json::Value::from).collect())
            }
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> Self {
        (&value).into()
    }
}

impl From<&Map> for serde_json::Map<String, serde_json::Value> {
    fn from(map: &Map) -> Self {
        map.iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
            .collect()
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Map {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Map {
            entries: map
                .into_iter()
                .map(|(k, v)| (shared(&k), Value::from(v)))
                .collect(),
        }
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Object(map)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Self {
        Value::String(s)
    }
}

impl From<Arc<str>> for Value {
    fn from(s: Arc<str>) -> Self {
        Value::String(Str::from(&*s))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(n.into())
            }
        }
    )*};
}

from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(ThinVec::from(items))
    }
}

impl FromIterator<Value> for Value {
    fn from_iter<T: IntoIterator<Item = Value>>(iter: T) -> Self {
        Value::Array(iter.into_iter().collect())
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => **a == **b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|other| v == other))
            }
            _ => false,
        }
    }
}

impl PartialEq<Value> for serde_json::Value {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => map.serialize(serializer),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(shared(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(shared(&v)))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = ThinVec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut builder = MapBuilder::with_capacity(access.size_hint().unwrap_or(0).min(4096));
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            builder.insert(shared(&key), value);
        }
        Ok(Value::Object(builder.build()))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Map, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(map) => Ok(map),
            _ => Err(de::Error::custom("expected a JSON object")),
        }
    }
}

/// Writes formatter output for `serde_json`'s writer.
struct FmtWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl std::io::Write for FmtWriter<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = std::str::from_utf8(buf).map_err(std::io::Error::other)?;
        self.0.write_str(text).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Compact JSON, as `serde_json::Value` prints; `{:#}` prints it indented.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alternate = f.alternate();
        let mut writer = FmtWriter(f);
        let written = if alternate {
            serde_json::to_writer_pretty(&mut writer, self)
        } else {
            serde_json::to_writer(&mut writer, self)
        };
        written.map_err(|_| fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_and_entries_stay_thin() {
        // Loaded objects hold tens of millions of entries: each byte here is 30 MB at 922 MB
        // of input.
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<(Str, Value)>(), 24);
        assert_eq!(std::mem::size_of::<Map>(), 8);
    }

    fn sample() -> serde_json::Value {
        json!({
            "b": 1, "a": [true, null, -2, 1.5, 1e300, "x\"y\n\u{1}é"],
            "c": {"z": {}, "y": [], "": "empty"},
            "big": 18446744073709551615u64
        })
    }

    #[test]
    fn is_compact() {
        assert!(std::mem::size_of::<Value>() <= 24);
        assert!(std::mem::size_of::<Map>() <= 16);
    }

    #[test]
    fn round_trips_and_prints_as_serde_json() {
        let json = sample();
        let value = Value::from(json.clone());
        assert_eq!(value, json);
        assert_eq!(value.to_json(), json);
        assert_eq!(value.to_string(), json.to_string());
        assert_eq!(format!("{value:#}"), format!("{json:#}"));
        assert_eq!(
            serde_json::to_string_pretty(&value).unwrap(),
            serde_json::to_string_pretty(&json).unwrap()
        );
        let parsed: Value = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(parsed, value);
        let keys: Vec<_> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a", "c", "big"]);
        assert_eq!(Value::from(json!(0.1)).to_string(), "0.1");
        assert_eq!(Value::from(json!(-0)).to_string(), json!(-0).to_string());
    }

    #[test]
    fn accessors_agree_with_serde_json() {
        let json = sample();
        let value = Value::from(json.clone());
        assert_eq!(value["a"][0], json!(true));
        assert_eq!(value["a"][9], Value::Null);
        assert_eq!(value["missing"]["deeper"], Value::Null);
        assert_eq!(
            value.get("a").and_then(|a| a.get(2)),
            Some(&Value::from(-2))
        );
        assert_eq!(value["a"].as_array().map(<[Value]>::len), Some(6));
        assert_eq!(value["a"][2].as_i64(), Some(-2));
        assert_eq!(value["a"][2].as_u64(), None);
        assert_eq!(value["a"][3].as_f64(), Some(1.5));
        assert_eq!(value["big"].as_u64(), Some(u64::MAX));
        assert!(value["a"][3].is_f64() && !value["a"][3].is_i64());
        assert_eq!(value.pointer("/c/"), Some(&Value::from("empty")));
        assert_eq!(
            value.pointer("/a/5").and_then(Value::as_str),
            json["a"][5].as_str()
        );
        let map = value.as_object().unwrap();
        assert!(map.contains_key("c") && !map.contains_key("d"));
        assert_eq!(map.len(), 4);
        assert_eq!(map.iter().next_back().map(|(k, _)| k), Some("big"));
    }

    #[test]
    fn maps_compare_without_order_and_keep_first_place_last_value() {
        let a: Map = [("x", Value::from(1)), ("y", Value::from(2))]
            .into_iter()
            .collect();
        let b: Map = [("y", Value::from(2)), ("x", Value::from(1))]
            .into_iter()
            .collect();
        assert_eq!(a, b);
        let dup: Map = [
            ("k", Value::from(1)),
            ("j", Value::from(0)),
            ("k", Value::from(2)),
        ]
        .into_iter()
        .collect();
        assert_eq!(dup.keys().collect::<Vec<_>>(), ["k", "j"]);
        assert_eq!(dup.get("k"), Some(&Value::from(2)));
        // Large maps find repeats through their index.
        let mut builder = MapBuilder::default();
        for i in 0..40 {
            builder.insert(format!("k{}", i % 30).into(), Value::from(i));
        }
        let big = builder.build();
        assert_eq!(big.len(), 30);
        assert_eq!(big.get("k3"), Some(&Value::from(33)));
        assert_eq!(big.keys().nth(3), Some("k3"));
        let parsed: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        let json: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(parsed.to_string(), json.to_string());
    }

    #[test]
    fn edits() {
        let mut value = Value::from(json!({"a": {"b": 1}, "items": [1, 2]}));
        let items = value.get_mut("items").map(Value::take);
        assert_eq!(items, Some(Value::from(json!([1, 2]))));
        assert_eq!(value["items"], Value::Null);
        let map = value.as_object_mut().unwrap();
        assert_eq!(map.insert("c", Value::from(true)), None);
        assert_eq!(
            map.insert("a", Value::from(2)),
            Some(Value::from(json!({"b": 1})))
        );
        assert_eq!(value.to_string(), r#"{"a":2,"items":null,"c":true}"#);
    }
}
