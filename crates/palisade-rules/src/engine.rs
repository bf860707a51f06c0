//! The engine: runs the selected rules over an inventory in parallel and collects findings.
//! Pure: the same inventory and rules always give the same findings, in the same order.

use crate::finding::{Finding, Findings};
use crate::meta::{Pack, Rule, RuleMeta};
use crate::netpol::Network;
use crate::pss::Version;
use crate::rbac;
use palisade_model::intern::Text;
use palisade_model::{Inventory, Object, Workload};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// What rules may consult besides the objects: choices that change how a check evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Pod Security Standards policy version the `pss` checks evaluate.
    pub pss_version: Version,
    /// Registries images may come from (`registry.example`, `ghcr.io/acme`); empty means
    /// the registry rule is off.
    pub allowed_registries: Vec<String>,
    /// Kubernetes minor version (1.N) the manifests target, for API deprecations; `None`
    /// means the newest version Palisade knows.
    pub kubernetes_minor: Option<u32>,
    /// Labels every object must carry so it can be traced (ownership rule).
    pub required_labels: Vec<String>,
    /// Label or annotation keys of which at least one must name the owning team.
    pub owner_keys: Vec<String>,
}

impl Default for Context {
    fn default() -> Self {
        DEFAULT_CONTEXT.clone()
    }
}

/// Labels required by default: the application name.
pub const DEFAULT_REQUIRED_LABELS: [&str; 1] = ["app.kubernetes.io/name"];
/// Keys that name an owner by default, as a label or an annotation.
pub const DEFAULT_OWNER_KEYS: [&str; 2] = ["owner", "team"];

static DEFAULT_CONTEXT: std::sync::LazyLock<Context> = std::sync::LazyLock::new(|| Context {
    pss_version: Version::LATEST,
    allowed_registries: Vec::new(),
    kubernetes_minor: None,
    required_labels: DEFAULT_REQUIRED_LABELS.map(String::from).to_vec(),
    owner_keys: DEFAULT_OWNER_KEYS.map(String::from).to_vec(),
});

/// The per-object pass's findings, one part per run of objects, and where each object's
/// findings start in its part.
type PerObject = (Vec<Vec<Finding>>, Vec<Vec<u32>>);

/// Whole-inventory models that several rules consult, built at most once per check.
struct Views<'a> {
    inventory: &'a Inventory,
    network: OnceLock<Network<'a>>,
    rbac: OnceLock<rbac::Model<'a>>,
    /// Per-object results that several rules ask for, keyed by the object's address.
    weakness: Mutex<HashMap<usize, Option<Finding>>>,
    /// What the per-object pass found, once it is done: one part per run of
    /// [`OBJECTS_PER_PART`] objects, in inventory order, and for each part where each of its
    /// objects' findings start (and the end): an object's findings are one slice.
    parts: OnceLock<PerObject>,
    /// For each rule of the registry, in its order, whether the per-object pass ran it.
    ran: Vec<bool>,
    /// The workload view of each object that carries a pod, in the order of
    /// [`Inventory::workload_indices`]: worked out once for the per-object pass and for the
    /// dozen whole-inventory rules that walk workloads.
    workloads: Vec<Option<Workload<'a>>>,
}

impl<'a> Views<'a> {
    /// Where `object` is in the inventory, if it is one of its objects.
    fn index_of(&self, object: &Object) -> Option<usize> {
        let objects = self.inventory.objects();
        let offset = (std::ptr::from_ref(object) as usize).checked_sub(objects.as_ptr() as usize)?
            / std::mem::size_of::<Object>().max(1);
        objects
            .get(offset)
            .is_some_and(|found| std::ptr::eq(found, object))
            .then_some(offset)
    }

    /// The workload view of `object`, when it is one of the inventory's objects.
    fn cached_workload(&self, object: &Object) -> Option<Option<&Workload<'a>>> {
        let index = self.index_of(object)?;
        Some(
            self.inventory
                .workload_indices()
                .binary_search(&index)
                .ok()
                .and_then(|at| self.workloads.get(at)?.as_ref()),
        )
    }

    fn new(inventory: &'a Inventory, ran: Vec<bool>) -> Self {
        let objects = inventory.objects();
        let workloads = inventory
            .workload_indices()
            .par_iter()
            .map(|&index| objects.get(index).and_then(Object::workload))
            .collect();
        Self {
            workloads,
            inventory,
            network: OnceLock::new(),
            rbac: OnceLock::new(),
            weakness: Mutex::default(),
            parts: OnceLock::new(),
            ran,
        }
    }
}

/// [`Views`] with its inventory lifetime erased, so that a [`Sink`] keeps one lifetime.
trait Shared: Sync {
    fn inventory(&self) -> &Inventory;
    fn network(&self) -> &Network<'_>;
    fn rbac(&self) -> &rbac::Model<'_>;
    fn weakness(&self, object: &Object, find: &dyn Fn() -> Option<Finding>) -> Option<Finding>;
    fn workload(&self, object: &Object) -> Option<Option<&Workload<'_>>>;
    /// The workload views, in the order of [`Inventory::workload_indices`].
    fn workloads(&self) -> &[Option<Workload<'_>>];
    fn object_findings(
        &self,
        object: &Object,
        wanted: &dyn Fn(&RuleMeta) -> bool,
    ) -> Option<Vec<&Finding>>;
}

impl Shared for Views<'_> {
    fn inventory(&self) -> &Inventory {
        self.inventory
    }

    fn network(&self) -> &Network<'_> {
        self.network
            .get_or_init(|| Network::build_from(self.inventory, &self.workloads))
    }

    fn rbac(&self) -> &rbac::Model<'_> {
        self.rbac.get_or_init(|| rbac::Model::build(self.inventory))
    }

    fn weakness(&self, object: &Object, find: &dyn Fn() -> Option<Finding>) -> Option<Finding> {
        let key = std::ptr::from_ref(object) as usize;
        let known = |memo: &Mutex<HashMap<usize, Option<Finding>>>| {
            memo.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&key)
                .cloned()
        };
        if let Some(found) = known(&self.weakness) {
            return found;
        }
        // Found outside the lock; two rules asking at once may both work it out.
        let found = find();
        self.weakness
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, found.clone());
        found
    }

    fn workload(&self, object: &Object) -> Option<Option<&Workload<'_>>> {
        self.cached_workload(object)
    }

    fn workloads(&self) -> &[Option<Workload<'_>>] {
        &self.workloads
    }

    fn object_findings(
        &self,
        object: &Object,
        wanted: &dyn Fn(&RuleMeta) -> bool,
    ) -> Option<Vec<&Finding>> {
        let covered = crate::registry::all_rules()
            .iter()
            .zip(&self.ran)
            .all(|(rule, &ran)| ran || !wanted(rule.meta()));
        if !covered {
            return None;
        }
        // The object's place in the inventory gives its part; within a part, findings come
        // object by object, and each shares its object's reference.
        let offset = self.index_of(object)?;
        let (parts, starts) = self.parts.get()?;
        let part = parts.get(offset / OBJECTS_PER_PART)?;
        let starts = starts.get(offset / OBJECTS_PER_PART)?;
        let at = offset % OBJECTS_PER_PART;
        let (start, end) = (*starts.get(at)? as usize, *starts.get(at + 1)? as usize);
        Some(
            part.get(start..end)?
                .iter()
                .filter(|f| std::sync::Arc::ptr_eq(&f.object, &object.reference) && wanted(f.rule))
                .collect(),
        )
    }
}

/// A model shared by the rules of one check, or built for a single caller.
pub enum Cached<'r, T> {
    Shared(&'r T),
    Owned(T),
}

impl<T> std::ops::Deref for Cached<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Self::Shared(value) => value,
            Self::Owned(value) => value,
        }
    }
}

/// Where a rule reports findings. One sink per rule invocation.
pub struct Sink<'r> {
    rule: &'static RuleMeta,
    findings: &'r mut Vec<Finding>,
    context: &'r Context,
    shared: Option<&'r dyn Shared>,
    /// The workload view of the object the per-object pass is on, worked out once for all
    /// the rules that ask (some thirty per object).
    workload: Option<(&'r Object, Option<&'r Workload<'r>>)>,
}

impl<'r> Sink<'r> {
    pub fn new(rule: &'static RuleMeta, findings: &'r mut Vec<Finding>) -> Self {
        Self::with_context(rule, findings, &DEFAULT_CONTEXT)
    }

    pub fn with_context(
        rule: &'static RuleMeta,
        findings: &'r mut Vec<Finding>,
        context: &'r Context,
    ) -> Self {
        Self {
            rule,
            findings,
            context,
            shared: None,
            workload: None,
        }
    }

    /// A sink for the per-object hooks on `object`, whose workload view is already known.
    pub fn for_object(
        rule: &'static RuleMeta,
        findings: &'r mut Vec<Finding>,
        context: &'r Context,
        object: &'r Object,
        workload: Option<&'r Workload<'r>>,
    ) -> Self {
        Self {
            workload: Some((object, workload)),
            ..Self::with_context(rule, findings, context)
        }
    }

    /// `object.workload()`, without working it out again when the sink already knows it.
    pub fn workload<'o>(&self, object: &'o Object) -> Option<Cow<'o, Workload<'o>>>
    where
        'r: 'o,
    {
        match self.workload {
            Some((known, view)) if std::ptr::eq(known, object) => view.map(Cow::Borrowed),
            _ => match self.shared.and_then(|shared| shared.workload(object)) {
                Some(view) => view.map(Cow::Borrowed),
                None => object.workload().map(Cow::Owned),
            },
        }
    }

    /// Every object of `inventory` that carries a pod, with its workload view, in inventory
    /// order: the views the check worked out once, without looking each object up.
    pub fn workloads<'x>(
        &self,
        inventory: &'x Inventory,
    ) -> impl Iterator<Item = (&'x Object, Cow<'x, Workload<'x>>)> + use<'x, 'r>
    where
        'r: 'x,
    {
        let objects = inventory.objects();
        let cached = self.shared_for(inventory).map(|shared| shared.workloads());
        inventory
            .workload_indices()
            .iter()
            .enumerate()
            .filter_map(move |(at, &index)| {
                let object = objects.get(index)?;
                let view = match cached {
                    Some(views) => Cow::Borrowed(views.get(at)?.as_ref()?),
                    None => Cow::Owned(object.workload()?),
                };
                Some((object, view))
            })
    }

    fn with_shared(
        rule: &'static RuleMeta,
        findings: &'r mut Vec<Finding>,
        context: &'r Context,
        shared: &'r dyn Shared,
    ) -> Self {
        Self {
            rule,
            findings,
            context,
            shared: Some(shared),
            workload: None,
        }
    }

    pub fn context(&self) -> &Context {
        self.context
    }

    /// The network view of `inventory`, shared with the other rules of the check.
    pub fn network<'x>(&self, inventory: &'x Inventory) -> Cached<'x, Network<'x>>
    where
        'r: 'x,
    {
        match self.shared_for(inventory) {
            Some(shared) => Cached::Shared(shared.network()),
            None => Cached::Owned(Network::build(inventory)),
        }
    }

    /// The RBAC model of `inventory`, shared with the other rules of the check.
    pub fn rbac<'x>(&self, inventory: &'x Inventory) -> Cached<'x, rbac::Model<'x>>
    where
        'r: 'x,
    {
        match self.shared_for(inventory) {
            Some(shared) => Cached::Shared(shared.rbac()),
            None => Cached::Owned(rbac::Model::build(inventory)),
        }
    }

    /// `find()` for `object`, worked out once per check for all the rules that ask (the
    /// workload rules' worst finding on an exposed workload, for WL040 and NP008).
    pub fn weakness(&self, object: &Object, find: impl Fn() -> Option<Finding>) -> Option<Finding> {
        match self.shared {
            Some(shared) => shared.weakness(object, &find),
            None => find(),
        }
    }

    /// The findings the per-object pass of this check reported on `object` from the rules
    /// `wanted` accepts, when that pass ran every such rule; `None` when it did not (a
    /// selection of rules, or no check around the sink), and the caller works them out.
    pub fn object_findings(
        &self,
        object: &Object,
        wanted: impl Fn(&RuleMeta) -> bool,
    ) -> Option<Vec<&'r Finding>> {
        self.shared?.object_findings(object, &wanted)
    }

    fn shared_for(&self, inventory: &Inventory) -> Option<&'r dyn Shared> {
        self.shared
            .filter(|shared| std::ptr::eq(shared.inventory(), inventory))
    }

    /// Report a finding on `object` at the field `path` (a JSON Pointer). The location is the
    /// field's, or that of its closest ancestor when the field is absent. Returns the finding
    /// so the caller can add the container or a specific remediation.
    pub fn report(
        &mut self,
        object: &Object,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Finding {
        // Findings are kept until the report is written, and many repeat a message or a
        // path: they share one copy of each.
        let path = Text::from(path.into());
        let message = Text::from(message.into());
        let location = object.location(&path);
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.rule.severity,
            message,
            object: object.reference.clone(),
            container: None,
            location: Some(location),
            path,
            related: Default::default(),
            app: object.group(),
            remediation: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

impl Finding {
    pub fn in_container(&mut self, name: &str) -> &mut Self {
        self.container = Some(Text::new(name));
        self
    }

    pub fn with_remediation(&mut self, text: impl Into<String>) -> &mut Self {
        // Findings of one kind often repeat their remediation: it is shared.
        self.remediation = Some(Text::from(text.into()));
        self
    }
}

/// Run one rule over objects built from `values` (tests).
#[cfg(test)]
pub(crate) fn check_values(
    values: Vec<palisade_model::Value>,
    rule: &'static dyn Rule,
) -> Vec<Finding> {
    let objects = values
        .into_iter()
        .map(|v| {
            Object::new(
                v,
                "t.yaml".into(),
                0,
                palisade_model::PositionTree::default(),
            )
        })
        .collect();
    check(&Inventory::new(objects), &[rule])
}

/// Objects checked by one task: enough to amortize scheduling, few enough to balance cores.
const OBJECTS_PER_PART: usize = 256;

/// `PALISADE_TIMINGS=rules` prints how long each whole-inventory rule takes.
static RULE_TIMINGS: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var_os("PALISADE_TIMINGS").is_some_and(|v| v == "rules"));

/// Resident memory in MiB, for `PALISADE_TIMINGS=rules` (Linux; 0 elsewhere).
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1024 * 1024))
}

/// Run `rules` over `inventory`. Object hooks run in parallel over objects; inventory hooks in
/// parallel over rules. Findings come back sorted by location and rule.
pub fn check(inventory: &Inventory, rules: &[&'static dyn Rule]) -> Vec<Finding> {
    check_with(inventory, rules, &DEFAULT_CONTEXT)
}

/// [`check`] with an explicit context.
pub fn check_with(
    inventory: &Inventory,
    rules: &[&'static dyn Rule],
    context: &Context,
) -> Vec<Finding> {
    check_parts(inventory, rules, context).into_sorted_vec()
}

/// [`check_with`], leaving the findings in the parts they were gathered in, unsorted.
pub fn check_parts(
    inventory: &Inventory,
    rules: &[&'static dyn Rule],
    context: &Context,
) -> Findings {
    // Findings are gathered in parts (a run of objects, a rule) and stay there: reports
    // order them, and a merged copy would hold them twice.
    let started = std::time::Instant::now();
    let wants = |pack: Pack| rules.iter().any(|rule| rule.meta().pack == pack);
    let ran = crate::registry::all_rules()
        .iter()
        .map(|known| {
            rules
                .iter()
                .any(|rule| std::ptr::eq(rule.meta(), known.meta()))
        })
        .collect();
    let mut views = Views::new(inventory, ran);
    if *RULE_TIMINGS {
        eprintln!(
            "palisade: workload views {:.3} s",
            started.elapsed().as_secs_f64()
        );
    }
    let per_object = |views: &Views<'_>| -> PerObject {
        let indices = inventory.workload_indices();
        inventory
            .objects()
            .par_chunks(OBJECTS_PER_PART)
            .enumerate()
            .map(|(chunk, objects)| {
                let first = chunk * OBJECTS_PER_PART;
                // The chunk's objects and the workload list are both in inventory order.
                let mut next = indices.partition_point(|&index| index < first);
                let mut found = Vec::new();
                let mut starts = Vec::with_capacity(objects.len() + 1);
                for (index, object) in (first..).zip(objects) {
                    starts.push(u32::try_from(found.len()).unwrap_or(u32::MAX));
                    let workload = if indices.get(next) == Some(&index) {
                        next += 1;
                        views.workloads.get(next - 1).and_then(Option::as_ref)
                    } else {
                        None
                    };
                    for rule in rules {
                        rule.check_object(
                            object,
                            &mut Sink::for_object(
                                rule.meta(),
                                &mut found,
                                context,
                                object,
                                workload,
                            ),
                        );
                    }
                }
                starts.push(u32::try_from(found.len()).unwrap_or(u32::MAX));
                // Parts live until every rule has run: no spare capacity.
                found.shrink_to_fit();
                (found, starts)
            })
            .unzip()
    };
    let whole = |views: &Views<'_>, rule: &&'static dyn Rule| -> Vec<Finding> {
        let mut found = Vec::new();
        let started = std::time::Instant::now();
        rule.check_inventory(
            inventory,
            &mut Sink::with_shared(rule.meta(), &mut found, context, views),
        );
        if *RULE_TIMINGS && started.elapsed().as_micros() >= 500 {
            eprintln!(
                "palisade: rule {} (whole-inventory) {:.3} s, {} findings, resident {} MiB",
                rule.meta().code,
                started.elapsed().as_secs_f64(),
                found.len(),
                resident_mib()
            );
        }
        found.shrink_to_fit();
        found
    };
    // First the shared network and RBAC models (on the pool) and the whole-inventory rules
    // that do not read the per-object findings; then, with the RBAC model dropped, the
    // per-object pass, whose findings take the memory the model and those rules freed; then
    // the rules that read them. Run side by side, the per-object findings came on top of the
    // models (200 MB more at the peak of the 922 MB scan), for no gain in time: both halves
    // keep the two cores busy. The models must be built here, before any rule runs: their
    // builds run in parallel, and a build started inside a rule could take up, on its own
    // thread, another rule that waits for the same model. Only the rules of their packs use
    // them.
    let (late, early): (Vec<_>, Vec<_>) = rules
        .iter()
        .copied()
        .partition(|rule| rule.reads_object_findings());
    let timed = |name: &str, work: &dyn Fn()| {
        let started = std::time::Instant::now();
        work();
        if *RULE_TIMINGS {
            eprintln!(
                "palisade: {name} model {:.3} s",
                started.elapsed().as_secs_f64()
            );
        }
    };
    rayon::join(
        || {
            timed("network", &|| {
                wants(Pack::Network).then(|| views.network());
            })
        },
        || {
            timed("RBAC", &|| {
                wants(Pack::Rbac).then(|| views.rbac().own_risks(0));
            })
        },
    );
    if *RULE_TIMINGS {
        eprintln!(
            "palisade: shared models {:.3} s, resident {} MiB",
            started.elapsed().as_secs_f64(),
            resident_mib()
        );
    }
    let mut joined = early
        .par_iter()
        .map(|rule| whole(&views, rule))
        .collect::<Vec<_>>();
    if *RULE_TIMINGS {
        eprintln!(
            "palisade: {} whole-inventory rules {:.3} s, resident {} MiB",
            early.len(),
            started.elapsed().as_secs_f64(),
            resident_mib()
        );
    }
    if !late.iter().any(|rule| rule.meta().pack == Pack::Rbac) {
        drop(views.rbac.take());
    }
    let (parts, starts) = per_object(&views);
    if *RULE_TIMINGS {
        eprintln!(
            "palisade: per-object rules {:.3} s, {} findings, resident {} MiB",
            started.elapsed().as_secs_f64(),
            parts.iter().chain(&joined).map(Vec::len).sum::<usize>(),
            resident_mib()
        );
    }
    let _ = views.parts.set((parts, starts));
    joined.extend(
        late.par_iter()
            .map(|rule| whole(&views, rule))
            .collect::<Vec<_>>(),
    );
    if *RULE_TIMINGS {
        eprintln!(
            "palisade: whole-inventory rules done {:.3} s, resident {} MiB",
            started.elapsed().as_secs_f64(),
            resident_mib()
        );
    }
    // The shared models are done with.
    let (mut parts, _) = views.parts.take().unwrap_or_default();
    drop(views);
    parts.extend(joined);
    Findings::from_parts(parts)
}
