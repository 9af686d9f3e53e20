#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the sweep tests (test/slurm/sweep.test.ts) and
# for trying `latent-lens sweep --executor slurm` by hand. Needs root and Debian's `slurm-wlm`
# and `munge` (scripts/setup.sh installs them).
#
#   bash scripts/slurm-cluster.sh start    # idempotent; prints `export SLURM_CONF=…`
#   bash scripts/slurm-cluster.sh status   # exit 0 when the node answers
#   bash scripts/slurm-cluster.sh stop     # stops only the daemons this script started
#
# Everything lives in one state folder ($LATENT_LENS_SLURM_DIR, default /tmp/latent-lens-slurm):
# slurm.conf, a private munge key and socket, the daemons' pid, log, spool and state files. The
# system's own munged (/run/munge) and slurm.conf (/etc/slurm) are neither used nor touched, so
# clients need SLURM_CONF=<dir>/slurm.conf. It works in a container without systemd or cgroups:
# proctrack/linuxproc, task/none, no accounting. Ports: $LATENT_LENS_SLURM_PORTS (default
# 16817-16818, away from a real cluster's 6817/6818).
set -euo pipefail

DIR=${LATENT_LENS_SLURM_DIR:-/tmp/latent-lens-slurm}
PORTS=${LATENT_LENS_SLURM_PORTS:-16817-16818}
CTLD_PORT=${PORTS%-*}
SLURMD_PORT=${PORTS#*-}
CONF=$DIR/slurm.conf
SOCKET=$DIR/munge/munge.socket
export SLURM_CONF=$CONF

die() { echo "slurm-cluster: $*" >&2; exit 1; }

# A daemon of ours is alive when its pid file (<dir>/<daemon>.pid) names a live process of that
# daemon (a stale file after a reboot may name a pid that some other program now has).
alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$1" .pid)" ]
}

node_state() { sinfo -h -N -o '%T' 2>/dev/null | head -1; }

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # Slurm refuses a node whose RealMemory exceeds what slurmd finds; 90 % of it is safe.
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$CONF.tmp" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node test cluster (root, no cgroups, no accounting).
ClusterName=latentlens
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
PlugStackConfig=$DIR/plugstack.conf
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
  : >"$DIR/plugstack.conf"
}

start_munge() {
  if alive "$DIR/munged.pid"; then return; fi
  mkdir -p "$DIR/munge"
  chmod 0755 "$DIR/munge"  # the socket must be reachable by every user who submits; the key stays 0400
  if [ ! -s "$DIR/munge/munge.key" ]; then
    if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile="$DIR/munge/munge.key" --force
    else dd if=/dev/urandom bs=1 count=1024 of="$DIR/munge/munge.key" status=none; fi
    chmod 0400 "$DIR/munge/munge.key"
  fi
  munged --force --socket="$SOCKET" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munged.pid" \
    --log-file="$DIR/munged.log" --seed-file="$DIR/munge/munged.seed"
  for _ in $(seq 50); do [ -S "$SOCKET" ] && return; sleep 0.1; done
  die "munged did not start: see $DIR/munged.log"
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs jobs as their owner)"
  for bin in munged slurmctld slurmd sinfo sbatch; do
    command -v "$bin" >/dev/null 2>&1 || die "$bin is not installed: apt-get install -y slurm-wlm munge (or bash scripts/setup.sh)"
  done
  mkdir -p "$DIR/state" "$DIR/spool"
  chmod 0755 "$DIR"
  start_munge
  if ! alive "$DIR/slurmctld.pid" || ! alive "$DIR/slurmd.pid"; then write_conf; fi
  alive "$DIR/slurmctld.pid" || slurmctld -f "$CONF"
  alive "$DIR/slurmd.pid" || slurmd -f "$CONF"
  local state=""
  for _ in $(seq 100); do
    state=$(node_state)
    case "$state" in
      idle*|mixed*|allocated*) echo "slurm-cluster: node $(hostname -s) $state; export SLURM_CONF=$CONF"; return 0 ;;
      down*|drain*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  die "the node did not come up (state: ${state:-no answer}); logs: $DIR/slurmctld.log, $DIR/slurmd.log"
}

stop_pid() {
  local file=$1
  alive "$file" || { rm -f "$file"; return 0; }
  local pid
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

cmd_stop() {
  stop_pid "$DIR/slurmd.pid"
  stop_pid "$DIR/slurmctld.pid"
  stop_pid "$DIR/munged.pid"
  echo "slurm-cluster: stopped"
}

cmd_status() {
  alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid" || { echo "slurm-cluster: not running"; return 1; }
  echo "slurm-cluster: node $(hostname -s) $(node_state); export SLURM_CONF=$CONF"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
