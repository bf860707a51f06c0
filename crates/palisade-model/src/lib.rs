//! The Kubernetes object model shared by every Palisade crate: parsed objects with the source
//! position of every field, the workload view over pod-carrying kinds, label selectors, the
//! indexed inventory, and load diagnostics. No I/O happens here.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod diagnostics;
pub mod intern;
pub mod inventory;
pub mod object;
pub mod pointer;
pub mod position;
pub mod selector;
pub mod value;
pub mod workload;

pub use diagnostics::{LoadError, Notice};
pub use inventory::Inventory;
pub use object::{DuplicateKey, Location, Object, ObjectRef};
pub use position::{PositionTree, Span};
pub use selector::LabelSelector;
pub use value::{Map, Value};
pub use workload::{Container, ContainerKind, Workload};
