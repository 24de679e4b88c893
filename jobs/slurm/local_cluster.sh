#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying the jobs in jobs/slurm/ without a real
# cluster (Debian/Ubuntu slurm-wlm 22.05 + munge).
#
#   jobs/slurm/local_cluster.sh start    # munge (if not already up), slurmctld, slurmd; waits for the node
#   jobs/slurm/local_cluster.sh status   # daemons, node state, queue
#   jobs/slurm/local_cluster.sh stop     # ends the daemons it started, by their pid files
#
# Everything (slurm.conf, state, spool, logs, pid files) lives in one folder,
# $FEDLOAD_SLURM_DIR (default ${TMPDIR:-/tmp}/fedload-slurm); the ports are
# $FEDLOAD_SLURM_PORT (slurmctld, default 16817) and that + 1 (slurmd). The client commands
# (sbatch, squeue, sacct, ...) find the cluster through SLURM_CONF: `start` prints the line
#   export SLURM_CONF=<folder>/slurm.conf
# The node offers this machine's CPUs; jobs asking for more tasks than that need
# `--overcommit --nodes=1` (the partition oversubscribes cores up to 64 jobs each).
# Every command is idempotent: start on a running cluster, or stop on a stopped one, says so
# and exits 0. munged is stopped by `stop` only if `start` started it.
set -euo pipefail

dir=${FEDLOAD_SLURM_DIR:-${TMPDIR:-/tmp}/fedload-slurm}
port=${FEDLOAD_SLURM_PORT:-16817}
conf=$dir/slurm.conf
host=$(hostname -s)

say() { printf 'local_cluster: %s\n' "$*"; }
die() { printf 'local_cluster: error: %s\n' "$*" >&2; exit 1; }

# pid from a pid file, only when that process is still alive
live_pid() {
  local f=$1 pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

munge_works() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }

need_tools() {
  local missing=() t
  for t in munged munge unmunge slurmctld slurmd sinfo sbatch; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  if ((${#missing[@]})); then
    die "missing ${missing[*]}; install with: apt-get install slurm-wlm munge"
  fi
}

write_conf() {
  local cpus mem_mb user
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
  user=$(id -un)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat >"$conf" <<EOF
# written by jobs/slurm/local_cluster.sh: a single-node cluster on $host
ClusterName=fedload-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
AuthType=auth/munge
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# no cgroup.conf on purpose: slurmd 22.05 refuses CgroupPlugin=disabled
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
InactiveLimit=0
KillWait=10
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
EOF
}

start_munge() {
  if munge_works; then
    say "munge: already running"
    return
  fi
  mkdir -p /run/munge
  if (($(id -u) == 0)); then
    chown munge:munge /run/munge
    # as the munge user when possible (what the package intends), else root with --force
    if ! runuser -u munge -- munged 2>"$dir/log/munged.err"; then
      munged --force 2>>"$dir/log/munged.err" || die "munged did not start: $(cat "$dir/log/munged.err")"
    fi
  else
    munged 2>"$dir/log/munged.err" || die "munged did not start (try as root): $(cat "$dir/log/munged.err")"
  fi
  local i
  for ((i = 0; i < 50; i++)); do munge_works && break; sleep 0.1; done
  munge_works || die "munged started but 'munge -n | unmunge' fails"
  # remember that we started it, so that stop ends it and nothing else
  cp /run/munge/munged.pid "$dir/munged.pid" 2>/dev/null || pgrep -n -x munged >"$dir/munged.pid"
  say "munge: started (pid $(<"$dir/munged.pid"))"
}

node_state() { SLURM_CONF=$conf sinfo -h -N -o '%T' 2>/dev/null | head -n1; }

cmd_start() {
  need_tools
  mkdir -p "$dir/log"
  local ctld slurmd_pid
  ctld=$(live_pid "$dir/slurmctld.pid" || true)
  slurmd_pid=$(live_pid "$dir/slurmd.pid" || true)
  if [[ -n $ctld && -n $slurmd_pid ]]; then
    say "already running (slurmctld $ctld, slurmd $slurmd_pid) in $dir"
    say "export SLURM_CONF=$conf"
    return 0
  fi
  [[ -n $ctld || -n $slurmd_pid ]] && die "half running (slurmctld '${ctld:-}', slurmd '${slurmd_pid:-}'); run '$0 stop' first"
  start_munge
  write_conf
  # both daemons put themselves in the background and write their pid files
  SLURM_CONF=$conf slurmctld || die "slurmctld did not start; see $dir/log/slurmctld.log"
  SLURM_CONF=$conf slurmd || die "slurmd did not start; see $dir/log/slurmd.log"
  local i state=""
  for ((i = 0; i < 60; i++)); do
    state=$(node_state)
    [[ $state == idle* || $state == mixed* || $state == allocated* ]] && break
    sleep 0.5
  done
  case $state in
    idle* | mixed* | allocated*) ;;
    *) die "node $host is '${state:-not reported}' after 30 s; see $dir/log/slurmctld.log and slurmd.log" ;;
  esac
  say "started in $dir: slurmctld $(<"$dir/slurmctld.pid"), slurmd $(<"$dir/slurmd.pid"), node $host $state ($(nproc) CPUs)"
  say "export SLURM_CONF=$conf"
}

stop_pidfile() {
  local name=$1 f=$2 pid i
  if ! pid=$(live_pid "$f"); then
    say "$name: not running"
    rm -f "$f"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name: still alive after 10 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
  say "$name: stopped (pid $pid)"
}

cmd_stop() {
  stop_pidfile slurmd "$dir/slurmd.pid"
  stop_pidfile slurmctld "$dir/slurmctld.pid"
  if [[ -e $dir/munged.pid ]]; then
    stop_pidfile munged "$dir/munged.pid"
  elif munge_works; then
    say "munged: running, not started by this script, left alone"
  else
    say "munged: not running"
  fi
}

cmd_status() {
  local rc=0 name pid
  for name in slurmctld slurmd; do
    if pid=$(live_pid "$dir/$name.pid"); then
      say "$name: running (pid $pid)"
    else
      say "$name: not running"
      rc=3
    fi
  done
  if munge_works; then say "munge: working"; else say "munge: not working"; rc=3; fi
  if ((rc == 0)); then
    say "export SLURM_CONF=$conf"
    SLURM_CONF=$conf sinfo -N -o '%N %T %c %m %P' || true
    SLURM_CONF=$conf squeue || true
  fi
  return $rc
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status   (folder: $dir)" >&2
    exit 2
    ;;
esac
