#!/bin/sh
# A real Slurm on this machine: starts munged, slurmctld and slurmd (one node, localhost, a config
# written here, everything in a temporary folder), submits a 4-shard batch over 200 prompts on the
# demo model with `strata-cli slurm`, waits for the array and the merge job, checks the merged
# workspace against a single-process run of the same spec, and stops the daemons it started.
# Needs root and Debian's slurm-wlm and munge (packaging/setup-debian.sh installs them); called by
# packaging/test.sh after the build. Usage: sh packaging/slurm-test.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
cli="$build/bin/strata-cli"
started=$(date +%s)
for prog in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
    command -v "$prog" >/dev/null || { echo "slurm-test: $prog missing: run packaging/setup-debian.sh" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "slurm-test: run as root (the daemons run as root and munge)" >&2; exit 1; }

T=$(mktemp -d /tmp/strata-slurm.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/work"
stop() {
    for pid in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    sleep 1
    [ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap stop EXIT INT TERM

# munge: a generated key, its own socket, run as the munge user.
mungekey -c -k "$T/munge/munge.key"
chown -R munge:munge "$T/munge"
chmod 755 "$T/munge"
runuser -u munge -- munged --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" --pid-file="$T/munge/munged.pid" \
    --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed"

cat > "$T/slurm.conf" <<CONF
ClusterName=strata
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
slurmctld -c
slurmd -c
i=0
until sinfo -h -o %T 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    [ $i -le 60 ] || { echo "slurm-test: the node did not become idle" >&2; tail -20 "$T/slurmctld.log" "$T/slurmd.log" >&2; exit 1; }
    sleep 1
done
echo "slurm-test: cluster up after $(( $(date +%s) - started )) s"

# 200 prompts: sentences of Jane Austen's novels (public domain, ../shared).
grep -E '^.{60,160}$' ../shared/corpora/en/austen.txt | sed -n '1000,1199p' > "$T/work/prompts.txt"
[ "$(wc -l < "$T/work/prompts.txt")" -eq 200 ]
cat > "$T/work/spec.json" <<SPEC
{"name": "slurm-test", "models": ["demo"], "dataset": {"prompts": "prompts.txt"}, "analyses": ["heads", "lens"], "max_tokens": 128}
SPEC

ids=$("$cli" slurm "$T/work/spec.json" --out "$T/work/out" --shards 4 --time 00:20:00 --json)
array=$(echo "$ids" | sed -n 's/.*"array_job": *"\([0-9]*\)".*/\1/p')
merge=$(echo "$ids" | sed -n 's/.*"merge_job": *"\([0-9]*\)".*/\1/p')
[ -n "$array" ] && [ -n "$merge" ] || { echo "slurm-test: no job ids in: $ids" >&2; exit 1; }
echo "slurm-test: array job $array, merge job $merge"
i=0
while [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; do
    i=$((i + 1))
    [ $i -le 600 ] || { echo "slurm-test: jobs still queued after 600 s" >&2; squeue >&2; exit 1; }
    sleep 1
done
grep -q "merged 200 of 200 items from 4 shards" "$T/work/out/logs/merge.out" || {
    echo "slurm-test: the merge job did not merge 200 items:" >&2
    cat "$T/work/out/logs/"*.out >&2
    exit 1
}
for s in 0 1 2 3; do
    grep -q "items written now (50 of 50 done)" "$T/work/out/logs/shard-$s.out" || { echo "slurm-test: shard $s:" >&2; cat "$T/work/out/logs/shard-$s.out" >&2; exit 1; }
done

# The merged figures equal one process running the whole spec.
STRATA_THREADS=1 "$cli" batch "$T/work/spec.json" --out "$T/work/single" 2>/dev/null
"$cli" batch-merge "$T/work/single" --into "$T/work/single.strata" >/dev/null
"$cli" batch-show "$T/work/out/merged.strata" --json | grep -v '"session"\|"shards"' > "$T/work/a.json"
"$cli" batch-show "$T/work/single.strata" --json | grep -v '"session"\|"shards"' > "$T/work/b.json"
cmp -s "$T/work/a.json" "$T/work/b.json" || { echo "slurm-test: merged figures differ from the single run:" >&2; diff "$T/work/a.json" "$T/work/b.json" | head -20 >&2; exit 1; }
echo "slurm-test: ok: 4-task array + afterok merge of 200 prompts, figures equal to one process; $(( $(date +%s) - started )) s in all"
