#!/usr/bin/env bash
# make cluster-check: the sweep of scripts/cluster/sweep.sbatch and
# merge.sbatch on a real Slurm cluster (scripts/cluster/slurm-local.sh),
# compared with a single-process run of the same grid.
#
# Usage: scripts/cluster/slurm-local.sh scripts/cluster/check.sh TRAIN
#   TRAIN is the trainer binary (cmd/train).
#
# 1. A synthetic grid of 12 runs as an array of 3 tasks plus the merge job
#    (--dependency=afterok): every job completes and the merged summary.csv
#    and summary.md equal the single-process ones byte for byte (runs.csv
#    too, but for its wall-time column).
# 2. A second grid of 12 longer runs: while the array runs, a merge is
#    refused (a shard folder is in use); task 1 is cancelled (scancel) after
#    its first finished run; a merge of its folder is then refused as
#    incomplete; resubmitting it with the wrong shard count fails at once
#    without touching its folder; resubmitting it right resumes it: the
#    runs it had finished are skipped and kept byte for byte (wall times
#    included), the others trained, and the merged summary equals the
#    single-process one. No lock file is left behind.
# 0. (First, as they cannot run here) the Kubernetes manifests train the
#    grid of sweep.sbatch, with as many completions as shards.
# It prints one line per check and exits 1 if any failed.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "${SLURM_CONF:-}" ] || [ -z "${SLURM_LOCAL_DIR:-}" ]; then
  echo "usage: scripts/cluster/slurm-local.sh $0 TRAIN" >&2
  exit 2
fi
train=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$SLURM_LOCAL_DIR/check
logs=$work/logs
mkdir -p "$logs"
failed=0
checks=0

say() { echo "cluster-check: $*"; }
pass() {
  checks=$((checks + 1))
  say "ok   $*"
}
fail() {
  checks=$((checks + 1))
  failed=$((failed + 1))
  say "FAIL $*"
}
# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# sweep OUT ARRAY [VAR=VALUE,...] -- FLAGS...: submits sweep.sbatch as an
# array of one-CPU tasks; prints the job id.
sweep() {
  local out=$1 array=$2 env=$3
  shift 4
  local id
  id=$(sbatch --parsable --array="$array" --cpus-per-task=1 --output="$logs/%x-%A_%a.out" \
    --export="ALL,TRAIN=$train,OUT=$out${env:+,$env}" "$here/sweep.sbatch" "$@")
  echo "${id%%;*}"
}

# merge OUT DEPENDENCIES: submits merge.sbatch after DEPENDENCIES succeed.
merge() {
  local id
  id=$(sbatch --parsable --dependency="afterok:$2" --kill-on-invalid-dep=yes \
    --output="$logs/%x-%j.out" --export="ALL,TRAIN=$train,OUT=$1" "$here/merge.sbatch")
  echo "${id%%;*}"
}

# wait_jobs ID...: waits until no job of IDs is pending or running (8 min at most).
wait_jobs() {
  local ids i
  ids=$(
    IFS=,
    echo "$*"
  )
  for ((i = 0; i < 2400; i++)); do
    [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  say "jobs $ids still queued after 8 minutes"
  squeue
  return 1
}

# states ID: the states of the job (of every task of an array), one a line.
states() { scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# all_in STATE ID COUNT: the job has COUNT tasks, all in STATE.
all_in() {
  local got
  got=$(states "$2" | sort | uniq -c | awk '{print $1, $2}')
  if [ "$got" = "$3 $1" ]; then return 0; fi
  say "job $2: states $(echo "$got" | tr '\n' ' '), want $3 $1"
  return 1
}

# within N LO HI: LO ≤ N ≤ HI.
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# nruns DIR: the number of runs in DIR/runs.csv.
nruns() {
  if [ -f "$1/runs.csv" ]; then tail -n +2 "$1/runs.csv" | cut -d, -f1-4 | sort -u | wc -l; else echo 0; fi
}

# no_seconds FILE: runs.csv without its wall-time column.
no_seconds() {
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i } { if (c) $c = ""; print }' "$1"
}

# same_results SINGLE MERGED: summaries byte for byte, runs.csv but for wall times.
same_results() {
  local f
  for f in summary.csv summary.md; do
    check "$f of the merge equals the single-process $f" cmp "$1/$f" "$2/$f"
  done
  check "runs.csv of the merge equals the single-process one (wall times aside)" \
    cmp <(no_seconds "$1/runs.csv") <(no_seconds "$2/runs.csv")
}

# refused WANT OUT COMMAND...: COMMAND fails, its error contains WANT, and
# OUT does not exist.
refused() {
  local want=$1 out=$2 err
  shift 2
  if err=$("$@" 2>&1 >/dev/null); then
    say "succeeded, want an error containing '$want'"
    return 1
  fi
  say "     error: $err"
  if [[ $err != *"$want"* ]]; then
    say "error does not contain '$want'"
    return 1
  fi
  if [ -e "$out" ]; then
    say "$out was written"
    return 1
  fi
}

# grid_of FILE: the default grid flags of FILE (continuation lines joined).
grid_of() { sed -e ':a' -e '/\\$/{N;s/\\\n[[:space:]]*//;ba' -e '}' "$1" | grep -o -- '-dataset fashion-mnist .*-epochs [0-9]*' | head -n 1; }

# same_nonempty A B: A is not empty and equals B.
same_nonempty() { [ -n "$1" ] && [ "$1" = "$2" ]; }

# value_of KEY FILE: the first number after KEY in FILE.
value_of() { grep -A1 -- "$1" "$2" | grep -o '[0-9][0-9]*' | head -n 1; }

say "trainer $train; cluster: $(sinfo -h -o '%P %D node(s) %c CPUs %T') (Slurm $(sinfo -V | cut -d' ' -f2))"

# ---- 0. the Kubernetes manifests, which cannot run here ----
check "k8s-sweep.yaml trains the grid of sweep.sbatch: $(grid_of "$here/sweep.sbatch")" \
  same_nonempty "$(grid_of "$here/sweep.sbatch")" "$(grid_of "$here/k8s-sweep.yaml")"
check "k8s-sweep.yaml has completions = SHARDS" \
  same_nonempty "$(value_of 'completions:' "$here/k8s-sweep.yaml")" "$(value_of 'name: SHARDS' "$here/k8s-sweep.yaml")"

# ---- 1. the sweep as a job array, merged by a dependent job ----
grid=(-dataset synthetic -loss "ce,hs" -batch "32,128" -seeds 3 -epochs 2 -hidden 16)
say "1. grid ${grid[*]} (12 runs): single process, then an array of 3 tasks and the merge"
"$train" -quiet "${grid[@]}" -out "$work/single" >/dev/null 2>"$logs/single.err"
jid=$(sweep "$work/sweep" 0-2 "" -- "${grid[@]}")
mid=$(merge "$work/sweep" "$jid")
say "submitted array job $jid and merge job $mid (afterok:$jid)"
wait_jobs "$jid" "$mid"
check "the 3 array tasks completed" all_in COMPLETED "$jid" 3
check "the merge job completed" all_in COMPLETED "$mid" 1
for i in 0 1 2; do
  check "shard-$i holds its 4 runs" [ "$(nruns "$work/sweep/shard-$i")" -eq 4 ]
done
same_results "$work/single" "$work/sweep/all"

# ---- 2. a task cancelled in the middle of its run and resubmitted ----
grid=(-dataset synthetic -loss "ce,hs" -batch 32 -seeds 6 -epochs 40 -hidden 16)
out=$work/cancel
say "2. grid ${grid[*]} (12 runs of about 2 s): single process, then an array of 3 tasks"
"$train" -quiet "${grid[@]}" -out "$work/single2" >/dev/null 2>"$logs/single2.err"
jid=$(sweep "$out" 0-2 "" -- "${grid[@]}")
say "submitted array job $jid"
for ((i = 0; i < 1200; i++)); do
  [ "$(nruns "$out/shard-1")" -ge 1 ] && break
  sleep 0.1
done
check "a merge while the array runs is refused, nothing written" \
  refused "is in use by process" "$out/early" "$train" merge -out "$out/early" "$out"/shard-*
scancel "${jid}_1"
wait_jobs "${jid}_1"
done_runs=$(nruns "$out/shard-1")
say "cancelled task ${jid}_1 with $done_runs of its 4 runs finished"
check "task 1 was cancelled in the middle of its shard" within "$done_runs" 1 3
check "task 1 is CANCELLED" all_in CANCELLED "${jid}_1" 1
cp "$out/shard-1/runs.csv" "$work/cancelled-runs.csv"
check "a merge of the cancelled shard is refused as incomplete, nothing written" \
  refused "is incomplete: $((4 - done_runs)) of the 4 runs of its shard 1/3" "$out/early" \
  "$train" merge -out "$out/early" "$out/shard-1"

bad=$(sweep "$out" 1 "" -- "${grid[@]}")
wait_jobs "$bad"
check "task 1 resubmitted alone without SHARDS (shard 1/1) fails" all_in FAILED "$bad" 1
check "  with an error naming -shard 1/1" \
  grep -q 'flag -shard: "1/1": index i = 1 outside \[0, 1)' "$logs/hsloss-sweep-${bad}_1.out"
check "  and leaves the shard's runs.csv as it was" cmp "$work/cancelled-runs.csv" "$out/shard-1/runs.csv"

again=$(sweep "$out" 1 SHARDS=3 -- "${grid[@]}")
mid=$(merge "$out" "${jid}_0:${jid}_2:$again")
say "resubmitted task 1 as job ${again} (SHARDS=3), merge job $mid (afterok:${jid}_0:${jid}_2:$again)"
wait_jobs "$jid" "$again" "$mid"
check "task 0 completed" all_in COMPLETED "${jid}_0" 1
check "task 2 completed" all_in COMPLETED "${jid}_2" 1
check "the resubmitted task 1 completed" all_in COMPLETED "$again" 1
check "the merge job completed" all_in COMPLETED "$mid" 1
log=$logs/hsloss-sweep-${again}_1.out
check "the resubmitted task skipped its $done_runs finished runs" \
  [ "$(grep -c 'already in runs.csv' "$log")" -eq "$done_runs" ]
check "  and trained the other $((4 - done_runs))" \
  [ "$(grep -c 'max test accuracy' "$log")" -eq "$((4 - done_runs))" ]
check "the finished runs' rows are kept byte for byte (not trained again)" \
  [ -z "$(grep -Fxvf "$out/shard-1/runs.csv" "$work/cancelled-runs.csv")" ]
check "shard-1 holds its 4 runs" [ "$(nruns "$out/shard-1")" -eq 4 ]
same_results "$work/single2" "$out/all"
check "no lock file is left" [ -z "$(find "$work" -name .lock)" ]

if [ "$failed" -gt 0 ]; then
  say "FAILED: $failed of $checks checks (files in $work)"
  exit 1
fi
say "passed: $checks checks in ${SECONDS} s"
