//! Reads a live cluster through the Kubernetes API into the same [`Loaded`] that files give.
//!
//! The client configuration is resolved the standard way (`KUBECONFIG`, `~/.kube/config`, the
//! in-cluster service account), `--context` picks a kubeconfig context. Discovery says which of
//! the resources the rule packs need exist; each is listed in pages (`limit`/`continue`), a few
//! lists in flight at once, every page trimmed to what rules read as it arrives. Secrets are
//! listed as metadata only unless their values may be read. Custom resources whose definitions
//! carry a pod template (Argo Rollouts and the like) are listed after the definitions.
//!
//! A live object has no lines: its file is `cluster:<context>`, its document its index in the
//! inventory, and its position tree a single root node. Objects owned by a listed controller
//! are folded into it (see [`fold`]); a list the user may not read becomes a notice naming the
//! rule packs it leaves incomplete, and the scan goes on.

mod catalog;
mod discover;
mod fetch;
mod fold;
mod snapshot;

#[cfg(test)]
mod fake_api;
#[cfg(test)]
mod tests;

pub use snapshot::write_snapshot;

use crate::Loaded;
use discover::Resource;
use fetch::{Failure, ListOptions};
use futures_util::StreamExt;
use kube::Client;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use palisade_model::Value;
use palisade_model::intern::Str;
use palisade_model::{LoadError, Notice, Object, PositionTree, Span};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Kinds that own pods through a pod template.
const CONTROLLERS: [&str; 7] = [
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// What to read and how.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// A kubeconfig file to use instead of the standard resolution.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; the current one when `None`.
    pub context: Option<String>,
    /// Namespaces to read namespaced resources from; every namespace when empty.
    pub namespaces: Vec<String>,
    /// List secrets in full; otherwise their metadata only.
    pub read_secret_values: bool,
    /// Lists in flight at once.
    pub concurrency: usize,
    /// Items per page.
    pub page_size: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self {
            kubeconfig: None,
            context: None,
            namespaces: Vec::new(),
            read_secret_values: false,
            concurrency: 4,
            page_size: 500,
        }
    }
}

/// How far reading has got, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub lists_done: usize,
    pub lists: usize,
    pub objects: usize,
}

/// A list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// `pods`, `deployments.apps`.
    pub resource: String,
    pub namespace: Option<String>,
    /// The user may not list it (401/403), as opposed to another failure.
    pub denied: bool,
    pub message: String,
    /// The rule packs whose findings are incomplete without it.
    pub packs: &'static str,
}

/// What was read, for the summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Objects read per kind, before folding.
    pub counts: BTreeMap<String, usize>,
    /// Objects folded into their controllers.
    pub folded: usize,
    pub lists: usize,
    pub lists_read: usize,
    pub pages: usize,
    pub unreadable: Vec<Unreadable>,
    pub elapsed: Duration,
}

impl Summary {
    /// No list could be read at all.
    pub fn nothing_read(&self) -> bool {
        self.lists_read == 0
    }

    /// Objects read, before folding.
    pub fn objects(&self) -> usize {
        self.counts.values().sum()
    }
}

/// The outcome of reading a cluster.
#[derive(Debug)]
pub struct ClusterLoad {
    /// Objects (after folding), and notices for folded controllers and unreadable lists.
    pub loaded: Loaded,
    /// `cluster:<context>`: the file name of every object.
    pub source: Str,
    pub summary: Summary,
}

/// Reading could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("no usable cluster configuration: {0}")]
    Config(String),
    #[error("cannot create the Kubernetes client: {0}")]
    Client(String),
    #[error("cannot read the API server's discovery document {path}: {message}")]
    Discovery { path: String, message: String },
    #[error("cannot start the I/O runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Read the cluster. `progress` is called as lists and pages complete.
pub fn load_cluster(
    options: &ClusterOptions,
    progress: &dyn Fn(Progress),
) -> Result<ClusterLoad, ClusterError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(read(options, progress))
}

/// The kubeconfig (or in-cluster) configuration and the name it is shown by.
async fn configure(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<(Config, String), ClusterError> {
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    let shown = |file: Option<&Kubeconfig>| {
        context
            .map(str::to_string)
            .or_else(|| file.and_then(|k| k.current_context.clone()))
    };
    if let Some(path) = kubeconfig {
        let file = Kubeconfig::read_from(path)
            .map_err(|e| ClusterError::Config(format!("{}: {e}", path.display())))?;
        let name = shown(Some(&file)).unwrap_or_else(|| "kubeconfig".to_string());
        let config = Config::from_custom_kubeconfig(file, &options)
            .await
            .map_err(|e| ClusterError::Config(format!("{}: {e}", path.display())))?;
        return Ok((config, name));
    }
    if let Some(context) = context {
        let config = Config::from_kubeconfig(&options)
            .await
            .map_err(|e| ClusterError::Config(format!("context `{context}`: {e}")))?;
        return Ok((config, context.to_string()));
    }
    let name = shown(Kubeconfig::read().ok().as_ref()).unwrap_or_else(|| "in-cluster".to_string());
    let config = Config::infer()
        .await
        .map_err(|e| ClusterError::Config(e.to_string()))?;
    Ok((config, name))
}

/// One list to run: a resource, everywhere or in one namespace.
struct Job {
    resource: Resource,
    namespace: Option<String>,
    packs: &'static str,
}

struct Outcome {
    job: Job,
    listed: fetch::Listed,
}

async fn read(
    options: &ClusterOptions,
    progress: &dyn Fn(Progress),
) -> Result<ClusterLoad, ClusterError> {
    let started = Instant::now();
    let (config, name) =
        configure(options.kubeconfig.as_deref(), options.context.as_deref()).await?;
    let client = Client::try_from(config).map_err(|e| ClusterError::Client(e.to_string()))?;
    let source: Str = format!("cluster:{name}").into();

    let available = discover_all(&client, options.concurrency).await?;
    let mut summary = Summary::default();
    let mut notices = Vec::new();
    let list_options = |group: &str, resource: &str| ListOptions {
        page_size: options.page_size.max(1),
        metadata_only: catalog::metadata_only(group, resource, options.read_secret_values),
    };

    let jobs: Vec<Job> = catalog::WANTED
        .iter()
        .filter_map(|wanted| {
            let found = available
                .resources
                .iter()
                .find(|r| r.group() == wanted.group && r.name == wanted.resource)?;
            Some((found.clone(), wanted.packs))
        })
        .flat_map(|(resource, packs)| jobs_for(resource, packs, &options.namespaces))
        .collect();
    // Pods come last, so that those of a controller already read are counted, not kept.
    let (pod_jobs, jobs): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|job| job.resource.group().is_empty() && job.resource.name == "pods");
    let counter = Counter::new(progress, jobs.len() + pod_jobs.len());
    let keep = |item: Value| Some(item);
    let mut outcomes = run_jobs(&client, jobs, options, &list_options, &keep, &counter).await;

    // Custom resources that carry pod templates, found through their definitions.
    let custom: Vec<Job> = outcomes
        .iter()
        .filter(|o| o.job.resource.name == "customresourcedefinitions")
        .flat_map(|o| o.listed.items.iter())
        .filter_map(|crd| {
            let group = crd.pointer("/spec/group").and_then(Value::as_str)?;
            let preferred = available
                .preferred
                .iter()
                .find(|(g, _)| g == group)
                .map(|(_, gv)| gv.as_str());
            discover::pod_template_resource(crd, preferred, catalog::KNOWN_POD_TEMPLATES)
        })
        .flat_map(|resource| jobs_for(resource, catalog::CUSTOM_WORKLOADS, &options.namespaces))
        .collect();
    let custom_kinds: Vec<String> = custom.iter().map(|j| j.resource.kind.clone()).collect();
    if !custom.is_empty() {
        counter.add_lists(custom.len());
        outcomes.extend(run_jobs(&client, custom, options, &list_options, &keep, &counter).await);
    }
    let controllers: HashSet<String> = outcomes
        .iter()
        .filter(|o| {
            CONTROLLERS.contains(&o.job.resource.kind.as_str())
                || custom_kinds.contains(&o.job.resource.kind)
        })
        .flat_map(|o| o.listed.items.iter())
        .filter_map(|item| item.pointer("/metadata/uid").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let early: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    let fold_early = |item: Value| match fold::foldable_owner(&item) {
        Some(owner) if controllers.contains(owner) => {
            early
                .borrow_mut()
                .push((owner.to_string(), "Pod".to_string()));
            None
        }
        _ => Some(item),
    };
    outcomes.extend(
        run_jobs(
            &client,
            pod_jobs,
            options,
            &list_options,
            &fold_early,
            &counter,
        )
        .await,
    );
    let early = early.into_inner();
    for (_, kind) in &early {
        *summary.counts.entry(kind.clone()).or_default() += 1;
    }

    // The wanted resources of a group whose discovery failed were not attempted.
    for wanted in catalog::WANTED {
        if let Some((group, failure)) = available.failed.iter().find(|(g, _)| g == wanted.group) {
            let job = Job {
                resource: Resource {
                    group_version: format!("{group}/"),
                    name: wanted.resource.to_string(),
                    kind: String::new(),
                    namespaced: false,
                },
                namespace: None,
                packs: wanted.packs,
            };
            outcomes.push(Outcome {
                job,
                listed: fetch::Listed {
                    failure: Some(failure.clone()),
                    ..fetch::Listed::default()
                },
            });
        }
    }
    let mut objects = Vec::new();
    for outcome in outcomes {
        summary.lists += 1;
        summary.pages += outcome.listed.pages;
        match outcome.listed.failure {
            None | Some(Failure::Missing) => summary.lists_read += 1,
            Some(failure) => {
                let unreadable = unreadable(&outcome.job, &failure);
                notices.push(Notice {
                    file: source.clone(),
                    document: None,
                    line: None,
                    message: describe_unreadable(&unreadable),
                });
                summary.unreadable.push(unreadable);
                // Items of a list that failed part-way are kept: they are real objects.
            }
        }
        for item in outcome.listed.items {
            let named = item.pointer("/metadata/name").and_then(Value::as_str);
            if outcome.job.resource.kind == "Namespace"
                && !options.namespaces.is_empty()
                && !options
                    .namespaces
                    .iter()
                    .any(|ns| Some(ns.as_str()) == named)
            {
                continue;
            }
            let object = Object::new(item, source.clone(), 0, PositionTree::leaf(Span::default()));
            *summary.counts.entry(object.kind().to_string()).or_default() += 1;
            objects.push(object);
        }
    }

    let folded = fold::fold(objects, &early);
    let mut objects = folded.objects;
    for (index, object) in objects.iter_mut().enumerate() {
        object.document = u32::try_from(index).unwrap_or(u32::MAX);
    }
    for (index, counts) in &folded.into {
        summary.folded += counts.values().sum::<usize>();
        if let Some(controller) = objects.get(*index) {
            notices.push(Notice {
                file: source.clone(),
                document: Some(controller.document),
                line: None,
                message: format!(
                    "{} owned by {} are reported at it",
                    fold::describe(counts),
                    controller.reference
                ),
            });
        }
    }
    let mut errors = Vec::new();
    if summary.nothing_read() {
        errors.push(LoadError {
            file: source.clone(),
            document: None,
            line: None,
            column: None,
            message: format!(
                "nothing could be read from the cluster ({} lists failed)",
                summary.unreadable.len()
            ),
        });
    }
    summary.elapsed = started.elapsed();
    Ok(ClusterLoad {
        loaded: Loaded {
            documents: objects.len(),
            objects,
            errors,
            notices,
            files: 0,
        },
        source,
        summary,
    })
}

fn jobs_for(resource: Resource, packs: &'static str, namespaces: &[String]) -> Vec<Job> {
    if !resource.namespaced || namespaces.is_empty() {
        return vec![Job {
            resource,
            namespace: None,
            packs,
        }];
    }
    namespaces
        .iter()
        .map(|ns| Job {
            resource: resource.clone(),
            namespace: Some(ns.clone()),
            packs,
        })
        .collect()
}

fn unreadable(job: &Job, failure: &Failure) -> Unreadable {
    let group = job.resource.group();
    let resource = if group.is_empty() {
        job.resource.name.clone()
    } else {
        format!("{}.{group}", job.resource.name)
    };
    Unreadable {
        resource,
        namespace: job.namespace.clone(),
        denied: matches!(failure, Failure::Denied(_)),
        message: failure.to_string(),
        packs: job.packs,
    }
}

fn describe_unreadable(unreadable: &Unreadable) -> String {
    let scope = match &unreadable.namespace {
        Some(ns) => format!("in namespace {ns}"),
        None => "in the cluster".to_string(),
    };
    let what = if unreadable.denied {
        "not allowed to list"
    } else {
        "could not list"
    };
    format!(
        "{what} {} {scope} ({}); these rules are incomplete: {}",
        unreadable.resource, unreadable.message, unreadable.packs
    )
}

/// Counts for the progress callback; lists run on one thread.
struct Counter<'p> {
    progress: &'p dyn Fn(Progress),
    lists: Cell<usize>,
    lists_done: Cell<usize>,
    objects: Cell<usize>,
}

impl<'p> Counter<'p> {
    fn new(progress: &'p dyn Fn(Progress), lists: usize) -> Self {
        Self {
            progress,
            lists: Cell::new(lists),
            lists_done: Cell::new(0),
            objects: Cell::new(0),
        }
    }

    fn add_lists(&self, n: usize) {
        self.lists.set(self.lists.get() + n);
    }

    fn report(&self) {
        (self.progress)(Progress {
            lists_done: self.lists_done.get(),
            lists: self.lists.get(),
            objects: self.objects.get(),
        });
    }

    fn page(&self, items: usize) {
        self.objects.set(self.objects.get() + items);
        self.report();
    }

    fn list_done(&self) {
        self.lists_done.set(self.lists_done.get() + 1);
        self.report();
    }
}

/// Run the lists, a few at a time; outcomes come back in the order of `jobs`.
async fn run_jobs(
    client: &Client,
    jobs: Vec<Job>,
    options: &ClusterOptions,
    list_options: &dyn Fn(&str, &str) -> ListOptions,
    sift: &dyn Fn(Value) -> Option<Value>,
    counter: &Counter<'_>,
) -> Vec<Outcome> {
    let mut outcomes: Vec<(usize, Outcome)> =
        futures_util::stream::iter(jobs.into_iter().enumerate())
            .map(|(index, job)| async move {
                let how = list_options(job.resource.group(), &job.resource.name);
                let on_page = |items: usize| counter.page(items);
                let listed = fetch::list(
                    client,
                    &job.resource,
                    job.namespace.as_deref(),
                    how,
                    sift,
                    &on_page,
                )
                .await;
                counter.list_done();
                (index, Outcome { job, listed })
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// What discovery found.
struct Available {
    resources: Vec<Resource>,
    /// `(group, preferred group version)`.
    preferred: Vec<(String, String)>,
    /// Groups whose resources could not be discovered, and why.
    failed: Vec<(String, Failure)>,
}

/// Read `/api/v1`, `/apis` and the preferred version of every group a wanted resource is in.
async fn discover_all(client: &Client, concurrency: usize) -> Result<Available, ClusterError> {
    let fatal = |path: &str| {
        let path = path.to_string();
        move |failure: Failure| ClusterError::Discovery {
            path,
            message: failure.to_string(),
        }
    };
    let core = fetch::get(client, "/api/v1", "application/json")
        .await
        .map_err(fatal("/api/v1"))?;
    let groups = fetch::get(client, "/apis", "application/json")
        .await
        .map_err(fatal("/apis"))?;
    let preferred = discover::preferred_versions(&groups);
    let mut resources = discover::resources(&core);
    let wanted_groups: Vec<&str> = catalog::WANTED
        .iter()
        .map(|w| w.group)
        .filter(|g| !g.is_empty())
        .collect();
    let lists: Vec<(&str, Result<Value, Failure>)> = futures_util::stream::iter(
        preferred
            .iter()
            .filter(|(group, _)| wanted_groups.contains(&group.as_str())),
    )
    .map(|(group, group_version)| async move {
        let path = discover::discovery_path(group_version);
        (
            group.as_str(),
            fetch::get(client, &path, "application/json").await,
        )
    })
    .buffered(concurrency.max(1))
    .collect()
    .await;
    let mut failed = Vec::new();
    for (group, list) in lists {
        match list {
            Ok(list) => resources.extend(discover::resources(&list)),
            Err(failure) => failed.push((group.to_string(), failure)),
        }
    }
    Ok(Available {
        resources,
        preferred,
        failed,
    })
}
