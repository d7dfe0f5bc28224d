#!/usr/bin/env bash
# Runs COMMAND on a single-node Slurm cluster started for it on this
# machine, then stops the cluster: munged, slurmctld and slurmd on
# loopback, as root, every file in a new temporary folder, no systemd, no
# cgroups (proctrack/linuxproc, task/none), no accounting.
#
# Usage: scripts/cluster/slurm-local.sh COMMAND [ARG...]
#   e.g. scripts/cluster/slurm-local.sh bash   (a shell with sinfo, sbatch, …)
#
# COMMAND runs with SLURM_CONF set (so sbatch, squeue, scancel, scontrol
# and sinfo use this cluster) and SLURM_LOCAL_DIR, the temporary folder.
# The exit status is COMMAND's. On exit, however it comes, the script
# cancels the cluster's jobs, waits for their steps to end and stops the
# daemons it started, by process id; the folder is removed, or kept and
# named when something failed. Installs slurmctld, slurmd, slurm-client
# and munge with apt-get when missing (Debian 12: Slurm 22.05).
# Environment: SLURM_LOCAL_KEEP=1 keeps the folder.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-local: run as root (the daemons run as root and munge)" >&2
  exit 2
fi

log() { echo "slurm-local: $*" >&2; }

# ---- packages ----
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
  ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurmctld slurmd slurm-client munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  # policy-rc.d exit 101 keeps the packages from starting their services.
  policy_rc=/usr/sbin/policy-rc.d added_policy=
  if [ ! -e "$policy_rc" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
    chmod 755 "$policy_rc"
    added_policy=1
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
  if [ -n "$added_policy" ]; then rm -f "$policy_rc"; fi
fi

# ---- the folder and the teardown ----
dir=$(mktemp -d /tmp/slurm-local.XXXXXX)
chmod 755 "$dir" # munge must reach its socket folder
pids=()          # daemons started, in start order
status=1

# shellcheck disable=SC2317 # stop_all runs from the trap
stop_all() {
  local rc=$status pid i
  trap - EXIT INT TERM
  if [ -n "${SLURM_CONF:-}" ] && [ "${#pids[@]}" -ge 3 ]; then
    # Cancel what is left and wait for the job steps to end: slurmstepd
    # outlives slurmd, and removes its socket in the spool folder on exit.
    scancel --quiet --user=root 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      if [ -z "$(squeue -h 2>/dev/null)" ] && ! compgen -G "$dir/spool/localhost_*" >/dev/null; then break; fi
      sleep 0.2
    done
    if compgen -G "$dir/spool/localhost_*" >/dev/null; then
      log "job steps still running after 30 s: $(cd "$dir/spool" && echo ./localhost_*)"
      rc=1
    fi
  fi
  # Stop the daemons, last started first: SIGTERM, then SIGKILL after 10 s.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "process $pid ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if [ "$rc" -eq 0 ] && [ "${SLURM_LOCAL_KEEP:-}" != 1 ]; then
    rm -rf "$dir"
  else
    log "kept $dir (logs in $dir/log)"
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'status=130; exit 130' INT
trap 'status=143; exit 143' TERM

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local what=$1 secs=$2 i
  shift 2
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "$what did not happen within $secs s; logs:"
  tail -n 20 "$dir"/log/* >&2 || true
  return 1
}

# free_port: a TCP port of 127.0.0.1 nothing listens on.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

mkdir -p "$dir/munge" "$dir/log" "$dir/state" "$dir/spool"

# ---- munged: its key, socket, log and seed owned by munge ----
chown munge:munge "$dir/munge"
chmod 755 "$dir/munge" # its socket must be reachable by every user
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
socket=$dir/munge/munge.socket
setpriv --reuid=munge --regid=munge --init-groups \
  munged --foreground --socket="$socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed" 2>>"$dir/log/munged.err" &
pids+=($!)
wait_for "munged's socket" 10 munge --socket="$socket" --no-input

# ---- slurm.conf ----
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
# The node's hardware as slurmd sees it, under the name localhost.
node=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]*/NodeName=localhost NodeAddr=127.0.0.1/')
cat >"$dir/slurm.conf" <<EOF
# Single-node cluster of scripts/cluster/slurm-local.sh.
ClusterName=hsloss-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=10
MinJobAge=600
$node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf SLURM_LOCAL_DIR=$dir

# ---- the daemons ----
slurmctld -D -f "$SLURM_CONF" >>"$dir/log/slurmctld.out" 2>&1 &
pids+=($!)
wait_for "slurmctld answering" 30 scontrol ping
slurmd -D -f "$SLURM_CONF" -N localhost >>"$dir/log/slurmd.out" 2>&1 &
pids+=($!)
# shellcheck disable=SC2317 # run by wait_for
node_idle() { [ "$(sinfo -h -n localhost -o %T)" = idle ]; }
wait_for "node localhost idle" 60 node_idle
log "cluster up in $dir (munged ${pids[0]}, slurmctld ${pids[1]}, slurmd ${pids[2]}; ports $ctld_port, $slurmd_port)"

# ---- the command ----
set +e
"$@"
status=$?
set -e
exit "$status"
