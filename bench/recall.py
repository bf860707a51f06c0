#!/usr/bin/env python3
"""Recall of a Palisade scan against the issues planted by gen_cluster.py (issue 9).

    python3 bench/recall.py --truth truth.jsonl --report palisade.json [--detail] [--markdown]

`--truth` is the JSON Lines file written by `../shared/tools/gen_cluster.py --truth FILE`: one
line per generated object with its identity and the "traits" planted in it.  `--report` is
`palisade scan --format json` output for the same data set.

Each trait is mapped to the Palisade rule code(s) that should report it (TRAIT_RULES below, read
off the generator source and docs/rules.md).  A planted trait counts as found when one of its
rules reports the object it was planted in (and, for container traits `container:NAME:...`, the
same container, or a finding that names no container).  A few traits are about a whole namespace
or about another object of the same application; their scope says where the finding may be:

  object     the planted object itself (default)
  namespace  any object in the planted object's namespace (the Namespace object included)
  app        any object generated for the same application (e.g. a ClusterRoleBinding to
             cluster-admin is reported by RB014 on the workload running as the bound account)

Traits that describe the generator's intent rather than a problem (posture:*, a default-deny
NetworkPolicy) are left out; traits with no counterpart rule are listed as such.
"""
import argparse
import collections
import json
import sys

# trait (container prefix stripped, parameter dropped for the families in PARAM_FAMILIES)
#   -> (rules, scope, note)
TRAIT_RULES = {
    # namespaces
    "ns:no-pss-label": (["TN003"], "object", ""),
    "ns:pss-privileged": (["TN004"], "object", ""),
    "ns:no-networkpolicy": (["NP001", "NP002"], "namespace",
                            "not reported when every workload is on the host network or the "
                            "namespace has none"),
    "ns:no-quota": (["TN001", "TN002"], "namespace",
                    "no ResourceQuota and no LimitRange; namespaces without workloads are "
                    "not reported"),
    "netpol:allow-all": (["NP005", "NP006"], "object", ""),
    # container images
    "image-latest": (["WL028"], "object", ""),
    "image-untagged": (["WL028"], "object", ""),
    "image-not-digest": (["WL029"], "object", ""),
    # container ports, env, resources, probes
    "hostPort": (["WL008"], "object", ""),
    "secret-as-env": (["SE003"], "object", ""),
    "secret-envFrom": (["SE003"], "object", ""),
    "hardcoded-secret-env": (["SE001"], "object", ""),
    "no-resources": (["WL022", "WL023", "WL024", "WL025"], "object",
                     "not reported where a LimitRange supplies defaults"),
    "no-requests": (["WL023", "WL024"], "object",
                    "limits without requests: Kubernetes sets requests = limits"),
    "no-cpu-limit": (["WL025"], "object", "not reported where a LimitRange supplies defaults"),
    "no-memory-limit": (["WL022"], "object", "not reported where a LimitRange supplies defaults"),
    "no-liveness": (["WL026"], "object", "Jobs and CronJobs are not long-running"),
    "no-readiness": (["WL027"], "object", "Jobs and CronJobs are not long-running"),
    # container security context
    "no-securityContext": (["WL003", "WL004", "WL017", "WL018", "WL020"], "object", ""),
    "privileged": (["WL001"], "object", ""),
    "allowPrivilegeEscalation": (["WL003"], "object", ""),
    "caps-add": (["WL006", "WL037"], "object", ""),
    "runAsUser-0": (["WL016"], "object", ""),
    "runAsNonRoot-false": (["WL004", "WL016"], "object",
                           "WL004 is not reported when a runAsUser other than 0 already "
                           "guarantees non-root; WL016 reports runAsUser: 0"),
    "readOnlyRootFilesystem-false": (["WL020"], "object", ""),
    "procMount-unmasked": (["WL011", "WL019"], "object", ""),
    "seccomp-unconfined": (["WL012"], "object", ""),
    "selinux-spc_t": (["WL010"], "object", ""),
    # pod spec
    "pod:hostPath": (["WL007", "WL035"], "object", ""),
    "pod:hostNetwork": (["WL002"], "object", ""),
    "pod:hostPID": (["WL002"], "object", ""),
    "pod:hostIPC": (["WL002"], "object", ""),
    "pod:default-serviceaccount": (["WL033"], "object",
                                   "not reported with automountServiceAccountToken: false"),
    "pod:automount-sa-token": (["WL032"], "object", ""),
    "pod:shareProcessNamespace": (["WL038"], "object", ""),
    "pod:unsafe-sysctl": (["WL013"], "object", ""),
    "pod:apparmor-unconfined": (["WL009"], "object",
                                "on a bare Pod the generator records the trait but puts the "
                                "annotation on a pod template the Pod does not have"),
    "pod:bare-pod": (["WL042"], "object", ""),
    # API versions, namespaces
    "deprecated-api": (["DP001", "DP002"], "object", ""),
    "default-namespace": (["WL034"], "object",
                          "planted as metadata.namespace omitted; WL034 reports an explicit "
                          "`namespace: default` only"),
    # services and ingresses
    "svc:nodeport": (["WL040"], "object", ""),
    "svc:loadbalancer": (["WL040"], "object", ""),
    "svc:public-loadbalancer": (["WL040"], "object", ""),
    "svc:externalIPs": (["WL040"], "object", ""),
    "ingress:no-tls": (["NP009"], "object", ""),
    "ingress:snippet-annotation": (["NP010"], "object", ""),
    # RBAC (rbac:cluster:X maps like rbac:X)
    "rbac:secrets-read": (["RB001"], "object", ""),
    "rbac:create-pods": (["RB002"], "object", ""),
    "rbac:pods-exec": (["RB003"], "object", ""),
    "rbac:escalate-bind": (["RB004"], "object", ""),
    "rbac:impersonate": (["RB004"], "object", ""),
    "rbac:sa-token": (["RB005"], "object", ""),
    "rbac:nodes-proxy": (["RB006"], "object", ""),
    "rbac:csr-approve": (["RB007"], "object", ""),
    "rbac:webhooks": (["RB008"], "object", ""),
    "rbac:wildcard": (["RB010"], "object", ""),
    "rbac:wildcard-verbs": (["RB010"], "object", ""),
    "rbac:cluster-admin-binding": (["RB014"], "app",
                                   "reported on the workload that runs as the bound account"),
    "rbac:binding-to-broad-group:system:authenticated": (["RB011"], "object", ""),
    "rbac:binding-to-broad-group:system:unauthenticated": (["RB011"], "object", ""),
    "rbac:binding-to-broad-group:system:serviceaccounts": (["RB011"], "object", ""),
    # config and secrets
    "configmap:password-in-data": (["SE001"], "object", ""),
    "secret:stringData-plaintext": (["SE002"], "object", ""),
    "psp:privileged": ([], "object", "no PodSecurityPolicy content rule (PSP is removed; "
                       "its apiVersion is reported by DP001 under deprecated-api)"),
}
# traits that are not problems
NOT_PROBLEMS = ("posture:", "netpol:default-deny")
# parameterised traits whose parameter is dropped in the table (kept with --detail)
PARAM_FAMILIES = ("pod:hostPath:", "caps-add:", "hardcoded-secret-env:", "deprecated-api:")


def split_trait(t):
    """-> (container or None, row name, full name without container)"""
    container = None
    if t.startswith("container:"):
        _, container, t = t.split(":", 2)
    full = t
    if t.startswith("rbac:cluster:"):
        t = "rbac:" + t[len("rbac:cluster:"):]
    for fam in PARAM_FAMILIES:
        if t.startswith(fam):
            t = fam[:-1]
            break
    return container, t, full


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True, help="gen_cluster.py --truth JSON Lines")
    ap.add_argument("--report", required=True, help="palisade scan --format json report")
    ap.add_argument("--detail", action="store_true",
                    help="one row per parameter value (host path, capability, API, ...)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--misses", metavar="TRAIT", action="append", default=[],
                    help="also list the objects where TRAIT (a table row) was planted but not "
                    "found (repeatable)")
    args = ap.parse_args()

    truth = [json.loads(line) for line in open(args.truth) if line.strip()]
    report = json.load(open(args.report))
    findings = report["findings"]

    def key(kind, ns, name):
        return (kind, ns, name)

    app_of, ns_of = {}, {}
    dup = 0
    for t in truth:
        k = key(t["kind"], t["namespace"], t["name"])
        if k in app_of:
            dup += 1
        app_of[k] = t["app"]
        # namespace an object lives in (a Namespace object: its own name; no namespace: default)
        ns_of[k] = t["name"] if t["kind"] == "Namespace" else (t["namespace"] or "default")

    # index findings: rule -> object key -> set of containers (None = no container)
    by_obj = collections.defaultdict(lambda: collections.defaultdict(set))
    by_ns = collections.defaultdict(set)    # rule -> namespaces with a finding
    by_app = collections.defaultdict(set)   # rule -> apps with a finding
    unmatched = 0
    for f in findings:
        o = f["object"]
        k = key(o["kind"], o["namespace"], o["name"])
        by_obj[f["rule"]][k].add(f["container"])
        if k in app_of:
            by_ns[f["rule"]].add(ns_of[k])
            by_app[f["rule"]].add(app_of[k])
        else:
            unmatched += 1

    rows = collections.OrderedDict()  # row -> [planted, found, rules, note]
    unknown = collections.Counter()
    misses = collections.defaultdict(list)
    for t in truth:
        k = key(t["kind"], t["namespace"], t["name"])
        for trait in t["traits"]:
            if trait.startswith(NOT_PROBLEMS):
                continue
            container, row, full = split_trait(trait)
            if row not in TRAIT_RULES:
                unknown[row] += 1
                continue
            rules, scope, note = TRAIT_RULES[row]
            name = full if args.detail else row
            r = rows.setdefault(name, [0, 0, rules, note])
            r[0] += 1
            hit = False
            for rule in rules:
                if scope == "object":
                    cs = by_obj[rule].get(k)
                    hit = bool(cs) and (container is None or container in cs or None in cs)
                elif scope == "namespace":
                    hit = ns_of[k] in by_ns[rule]
                else:
                    hit = app_of[k] in by_app[rule]
                if hit:
                    break
            r[1] += hit
            if not hit and name in args.misses:
                misses[name].append("%s %s/%s%s  %s" % (
                    t["kind"], t["namespace"] or "-", t["name"],
                    " container " + container if container else "",
                    " ".join(x for x in t["traits"] if x.startswith("posture:"))))

    order = sorted(rows.items(), key=lambda kv: (not kv[1][2], kv[1][1] / kv[1][0], kv[0]))
    if args.markdown:
        print("| trait | planted | found | recall | our rule(s) | note |")
        print("|---|---:|---:|---:|---|---|")
        for name, (n, found, rules, note) in sorted(rows.items()):
            rec = "%.1f %%" % (100.0 * found / n) if rules else "—"
            print("| `%s` | %d | %d | %s | %s | %s |" % (
                name, n, found, rec, ", ".join(rules) or "**none**", note))
    else:
        print("%-48s %8s %7s %8s  %s" % ("trait", "planted", "found", "recall", "our rule(s)"))
        for name, (n, found, rules, note) in sorted(rows.items()):
            rec = "%7.1f%%" % (100.0 * found / n) if rules else "      - "
            print("%-48s %8d %7d %s  %s%s" % (name, n, found, rec, ",".join(rules) or "NONE",
                                               ("   (" + note + ")") if note else ""))
    total_n = sum(v[0] for v in rows.values() if v[2])
    total_f = sum(v[1] for v in rows.values() if v[2])
    bullet = "- " if args.markdown else ""
    print()
    print(bullet + "overall (traits with a counterpart rule): %d of %d planted, recall %.1f %%"
          % (total_f, total_n, 100.0 * total_f / max(total_n, 1)))
    low = [name for name, (n, f, rules, _) in order if rules and f / n < 0.9]
    if low:
        print(bullet + "below 90 %%: %s" % ", ".join(low))
    none = [name for name, (n, f, rules, _) in rows.items() if not rules]
    if none:
        print(bullet + "no counterpart rule: %s" % ", ".join(sorted(none)))
    for name, lines in misses.items():
        print()
        print("missed %s (%d):" % (name, len(lines)))
        for line in lines:
            print("  " + line)
    if unknown:
        print("traits this script does not know (update TRAIT_RULES): %s"
              % ", ".join("%s (%d)" % kv for kv in unknown.most_common()), file=sys.stderr)
    if dup:
        print("note: %d objects share kind/namespace/name with another one" % dup, file=sys.stderr)
    if unmatched:
        print("note: %d findings are on objects not in the truth file" % unmatched,
              file=sys.stderr)


if __name__ == "__main__":
    main()
