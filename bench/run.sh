#!/usr/bin/env bash
# Whole-process benchmark: generates synthetic clusters with ../shared/tools/gen_cluster.py and
# times `palisade scan` (release build, all rules, JSON report to a file) with /usr/bin/time -v,
# printing the median wall time of RUNS runs (default 3), throughput and the largest peak RSS
# per data set. FORMATS (default "yaml json split") chooses the encodings.
#
# Usage: [RUNS=3] [FORMATS="yaml json split"] bench/run.sh [APPS ...]   (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
generator=../shared/tools/gen_cluster.py
if [[ ! -f $generator ]]; then
  echo "skipped: $generator is absent" >&2
  exit 0
fi
apps=("$@")
[[ ${#apps[@]} -gt 0 ]] || apps=(1000 10000)
data=${BENCH_DATA:-target/bench-data}
mkdir -p "$data"
cargo build --release --quiet -p palisade
bin=target/release/palisade
runs=${RUNS:-3}
read -r -a formats <<<"${FORMATS:-yaml json split}"
printf '%-28s %10s %9s %10s %10s\n' "data set" "MB" "wall s" "MB/s" "peak MiB"
for n in "${apps[@]}"; do
  for format in "${formats[@]}"; do
    case $format in
      split) input=$data/apps-$n-split
             [[ -d $input ]] || python3 $generator --apps "$n" --seed 1 --split --out "$input" ;;
      *)     input=$data/apps-$n.$format
             [[ -f $input ]] || python3 $generator --apps "$n" --seed 1 --format "$format" --out "$input" ;;
    esac
    bytes=$(du -sb "$input" | cut -f1)
    walls=()
    rss=0
    for ((run = 0; run < runs; run++)); do
      log=$(mktemp)
      # A CI job writes a new report; replacing the last run's report would add the time the
      # kernel takes to free its pages (0.15 s for the 213 MB of the 10,000-app report).
      rm -f "$data/report.json"
      /usr/bin/time -v "$bin" scan "$input" --format json --output "$data/report.json" --fail-on none \
        2>"$log" >/dev/null || true
      walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); if (length(t) == 3) print t[1]*3600 + t[2]*60 + t[3]; else print t[1]*60 + t[2]}' "$log")")
      this=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
      if ((this > rss)); then rss=$this; fi
      rm -f "$log"
    done
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
    awk -v name="apps=$n $format" -v b="$bytes" -v w="$wall" -v r="$rss" \
      'BEGIN { printf "%-28s %10.1f %9.2f %10.1f %10.0f\n", name, b/1e6, w, (w > 0 ? b/1e6/w : 0), r/1024 }'
  done
done
