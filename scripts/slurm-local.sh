#!/usr/bin/env bash
# A throwaway one-node Slurm cluster on this machine, everything (config, munge key and socket,
# state, spool, logs, pid files) inside DIR, so that `onepass sweep --slurm` scripts can be
# submitted for real (cli/slurm.test.ts does; you can too):
#
#   scripts/slurm-local.sh start DIR      then   export SLURM_CONF=DIR/slurm.conf; sbatch ...
#   scripts/slurm-local.sh stop DIR
#
# Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm and munge packages. No
# cgroups and no systemd: processes are tracked through /proc (proctrack/linuxproc) and tasks are
# not confined (task/none), which is all a one-node test cluster needs and also works in
# containers. No accounting daemon either, so sacct has nothing; `sbatch --wait` gives the exit.
# The controller and slurmd listen on free ports picked at start, and munged on its own socket
# with its own key, so a real Slurm or munge on the machine is neither used nor disturbed.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
sock=$dir/munge/munge.sock
export SLURM_CONF=$conf

# Log tails for the error message when something does not come up.
logs() { for f in "$dir"/munge/munged.log "$dir"/slurmctld.log "$dir"/slurmd.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2; return 0; }
die() { echo "slurm-local: $*" >&2; logs; exit 1; }

# A free TCP port from the kernel (node is there: this is a Node project).
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root: slurmd starts each job as its owner"
  for b in munged slurmctld slurmd sinfo sbatch scontrol; do
    command -v "$b" >/dev/null || die "$b not found (apt-get install slurm-wlm munge)"
  done
  [ ! -e "$conf" ] || die "$conf exists: stop that cluster first or use a fresh DIR"
  chmod 700 "$dir"
  mkdir -p -m 700 "$dir/munge" "$dir/state" "$dir/spool"
  # munged refuses a key readable by others; any 1 KiB of random bytes is a valid key.
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  # --force: munged otherwise refuses to run as root.
  munged --force --socket="$sock" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" || die "munged did not start"

  local ctld_port slurmd_port user cpus
  ctld_port=$(free_port); slurmd_port=$(free_port)
  [ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$(free_port)
  user=$(id -un)
  # Never more CPUs than are there: slurmd drains a node that has fewer than configured.
  cpus=$(nproc)
  cat > "$conf" <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster, nothing shared with the system.
ClusterName=onepass-local
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# sbatch --wait polls every 2 s as long as 2 s < MinJobAge/2, then every 8 s and 32 s: with 4 s
# it returns within 2 s of the job's end. Finished jobs leave squeue after 4 s (no accounting to
# keep them anyway).
MinJobAge=4
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  # Both daemonize and write their pid files; stop reads those.
  slurmctld -f "$conf" || die "slurmctld did not start"
  slurmd -N localhost -f "$conf" || die "slurmd did not start"
  # Ready when the node has registered and takes jobs.
  local state=''
  for _ in $(seq 1 150); do
    state=$(sinfo -h -N -o %T 2>/dev/null || true)
    [ "$state" = idle ] && { echo "slurm-local: 1 node, $cpus CPUs, up; export SLURM_CONF=$conf"; return 0; }
    sleep 0.2
  done
  die "the node did not become idle in 30 s (state: ${state:-no answer})"
}

# Whether the daemon named $2 whose pid file is $1 runs. The name check keeps a stale pid file
# from pointing at whatever process has the number now.
alive() { [ -f "$1" ] && [ "$(cat "/proc/$(cat "$1")/comm" 2>/dev/null)" = "$2" ]; }

# Waits up to 10 s for that daemon to end, then kills it.
reap() {
  for _ in $(seq 1 50); do alive "$1" "$2" || return 0; sleep 0.2; done
  kill -TERM "$(cat "$1")" 2>/dev/null || true; sleep 1
  if alive "$1" "$2"; then kill -KILL "$(cat "$1")" 2>/dev/null || true; fi
}

stop() {
  # Only ask a running controller: clients retry a dead one for many seconds.
  if alive "$dir/slurmctld.pid" slurmctld; then
    # Jobs still running (a failed test) would outlive slurmd: cancel them while it is up.
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 1 25); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  reap "$dir/slurmd.pid" slurmd
  reap "$dir/slurmctld.pid" slurmctld
  if alive "$dir/munge/munged.pid" munged; then
    munged --stop --socket="$sock" >/dev/null 2>&1 || true
    reap "$dir/munge/munged.pid" munged
  fi
  echo "slurm-local: stopped"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
