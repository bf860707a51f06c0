//! The live-cluster flags that `scan` and `pss` share, and reading the cluster with them:
//! a progress line on stderr while lists arrive, a summary of what was read, and the optional
//! snapshot file.

use anyhow::{Context, Result};
use clap::Args;
use palisade_load::Loaded;
use palisade_load::cluster::{self, ClusterLoad, ClusterOptions, Progress};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

const HEADING: &str = "Live cluster";

#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Read the live cluster through the Kubernetes API (kubeconfig from KUBECONFIG or
    /// ~/.kube/config, or the in-cluster service account). PATH arguments become optional.
    #[arg(long, help_heading = HEADING)]
    pub cluster: bool,

    /// Kubeconfig context to use [default: the current context].
    #[arg(long, value_name = "NAME", requires = "cluster", help_heading = HEADING)]
    pub context: Option<String>,

    /// Read namespaced resources from this namespace only (repeatable) [default: all].
    #[arg(
        short = 'n',
        long,
        value_name = "NAMESPACE",
        requires = "cluster",
        conflicts_with = "all_namespaces",
        help_heading = HEADING
    )]
    pub namespace: Vec<String>,

    /// Read every namespace (the default).
    #[arg(short = 'A', long, requires = "cluster", help_heading = HEADING)]
    pub all_namespaces: bool,

    /// Also write what was read to FILE as one `kind: List` JSON document;
    /// `palisade scan FILE` repeats the scan offline.
    #[arg(long, value_name = "FILE", requires = "cluster", help_heading = HEADING)]
    pub save_snapshot: Option<PathBuf>,

    /// Read secret values too (by default only their metadata is listed).
    #[arg(long, requires = "cluster", help_heading = HEADING)]
    pub read_secret_values: bool,

    /// No progress indicator or summary on stderr.
    #[arg(long, help_heading = HEADING)]
    pub quiet: bool,
}

/// The live-cluster flags for commands that always need every namespace (RBAC, network), where `-n`
/// already means something else.
#[derive(Debug, Clone, Args)]
pub struct ClusterWideArgs {
    /// Read the live cluster through the Kubernetes API (kubeconfig from KUBECONFIG or
    /// ~/.kube/config, or the in-cluster service account). PATH arguments become optional.
    #[arg(long, help_heading = HEADING)]
    pub cluster: bool,

    /// Kubeconfig context to use [default: the current context].
    #[arg(long, value_name = "NAME", requires = "cluster", help_heading = HEADING)]
    pub context: Option<String>,

    /// Also write what was read to FILE as one `kind: List` JSON document.
    #[arg(long, value_name = "FILE", requires = "cluster", help_heading = HEADING)]
    pub save_snapshot: Option<PathBuf>,

    /// No progress indicator or summary on stderr.
    #[arg(long, help_heading = HEADING)]
    pub quiet: bool,
}

impl ClusterWideArgs {
    /// With `--cluster`, read every namespace of the cluster into `loaded`.
    pub fn read_into(&self, loaded: &mut Loaded) -> Result<()> {
        ClusterArgs {
            cluster: self.cluster,
            context: self.context.clone(),
            namespace: Vec::new(),
            all_namespaces: true,
            save_snapshot: self.save_snapshot.clone(),
            read_secret_values: false,
            quiet: self.quiet,
        }
        .read_into(loaded)
    }
}

impl ClusterArgs {
    /// With `--cluster`, read the cluster and add what was read to `loaded` (objects,
    /// notices, and an error when nothing at all could be read). A configuration or
    /// discovery failure is an error.
    pub fn read_into(&self, loaded: &mut Loaded) -> Result<()> {
        if !self.cluster {
            return Ok(());
        }
        let options = ClusterOptions {
            context: self.context.clone(),
            namespaces: if self.all_namespaces {
                Vec::new()
            } else {
                self.namespace.clone()
            },
            read_secret_values: self.read_secret_values,
            ..ClusterOptions::default()
        };
        let show_progress = !self.quiet && std::io::stderr().is_terminal();
        let progress = |p: Progress| {
            if show_progress {
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\rreading the cluster: {}/{} lists, {} objects",
                    p.lists_done, p.lists, p.objects
                );
                let _ = err.flush();
            }
        };
        let read = cluster::load_cluster(&options, &progress);
        if show_progress {
            eprint!("\r\x1b[2K");
        }
        let read = read.context("cannot read the cluster")?;
        if let Some(path) = &self.save_snapshot {
            save(&read, path)?;
        }
        if !self.quiet {
            eprint!("{}", summary(&read, self.read_secret_values));
        }
        let ClusterLoad { loaded: live, .. } = read;
        loaded.objects.extend(live.objects);
        loaded.errors.extend(live.errors);
        loaded.notices.extend(live.notices);
        loaded.documents += live.documents;
        Ok(())
    }
}

fn save(read: &ClusterLoad, path: &std::path::Path) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot write the snapshot {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    cluster::write_snapshot(&read.loaded.objects, &mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write the snapshot {}", path.display()))
}

/// "Read 412 objects from cluster:prod in 1.3 s (25 lists, 31 requests): ..."
fn summary(read: &ClusterLoad, read_secret_values: bool) -> String {
    let s = &read.summary;
    let counts: Vec<String> = s.counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let mut out = format!(
        "Read {} objects from {} in {:.1} s ({} lists, {} pages): {}\n",
        s.objects(),
        read.source,
        s.elapsed.as_secs_f64(),
        s.lists,
        s.pages,
        counts.join(", ")
    );
    if !read_secret_values && s.counts.contains_key("Secret") {
        out.push_str(
            "Secrets were read as metadata only (--read-secret-values reads their values)\n",
        );
    }
    if s.folded > 0 {
        out.push_str(&format!(
            "{} objects owned by a listed controller are reported at the controller\n",
            s.folded
        ));
    }
    for unreadable in &s.unreadable {
        let scope = unreadable
            .namespace
            .as_deref()
            .map_or(String::new(), |ns| format!(" in namespace {ns}"));
        let what = if unreadable.denied {
            "not allowed to list"
        } else {
            "could not list"
        };
        out.push_str(&format!(
            "warning: {what} {}{scope}; incomplete: {}\n",
            unreadable.resource, unreadable.packs
        ));
    }
    out
}
