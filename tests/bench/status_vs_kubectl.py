#!/usr/bin/env python3
"""The measuring half of tests/bench/status-vs-kubectl (which sets up the
control plane and the cluster): `kubectl multigres status` against the
kubectl call that fetches the same objects, in the same run.

    status_vs_kubectl.py PLUGIN KUBECTL NAMESPACE RUNS

Requests: ours from the request lines of -vv (every HTTP request the
client sends is logged at debug level), kubectl's from the response
lines of -v=6. kubectl is counted twice: with an empty discovery cache
(its first run on a machine, or after the cache expired) and with a warm
one (every later run). Wall time: RUNS runs of each, alternated so that
both see the same load, without -v; the median, mean and minimum.
Exits 1 unless ours needs no more requests than kubectl with a warm
cache, fewer than with a cold one, and less time.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = ("multigresclusters,cells,tablegroups,shards,toposervers,pods,pvc,"
         "deployments,events")


def run(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, p


def count(pattern, text):
    return sum(1 for line in text.splitlines() if re.search(pattern, line))


def main():
    plugin, kubectl, ns, runs = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4])
    cache = tempfile.mkdtemp(prefix="kubectl-cache-")
    ours = [plugin, "-n", ns, "status"]
    theirs = [kubectl, "--cache-dir=" + cache, "get", KINDS, "-n", ns,
              "-o", "json"]
    try:
        # requests
        _, p = run(ours + ["-vv"])
        if p.returncode not in (0, 1):
            sys.exit("status failed: " + p.stderr)
        ours_req = count(r"debug: (GET|LIST|WATCH) https?://", p.stderr)
        ours_bytes = len(p.stdout)
        _, p = run(theirs + ["-v=6"])
        if p.returncode != 0:
            sys.exit("kubectl failed: " + p.stderr)
        cold_req = count(r'"Response" verb=|\] (GET|POST) https?://', p.stderr)
        _, p = run(theirs + ["-v=6"])
        warm_req = count(r'"Response" verb=|\] (GET|POST) https?://', p.stderr)
        theirs_bytes = len(p.stdout)
        # time (warm caches on both sides; alternated)
        t_ours, t_theirs = [], []
        for _ in range(runs):
            t, p = run(ours)
            t_ours.append(t * 1000)
            t, p = run(theirs)
            t_theirs.append(t * 1000)
        # one cold kubectl timing, for the record
        shutil.rmtree(cache)
        t_cold, _ = run(theirs)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def row(name, req, times, out):
        if times:
            print("%-44s %8s %10.1f %9.1f %8.1f %11d" % (
                name, req, statistics.median(times), statistics.mean(times),
                min(times), out))
        else:
            print("%-44s %8s %10s %9s %8s %11s" % (name, req, "-", "-", "-",
                                                   "-"))

    print("%-44s %8s %10s %9s %8s %11s" % (
        "", "requests", "median ms", "mean ms", "min ms", "stdout B"))
    row("kubectl multigres status -n %s" % ns, ours_req, t_ours, ours_bytes)
    row("kubectl get <9 kinds> -o json (warm cache)", warm_req, t_theirs,
        theirs_bytes)
    print("%-44s %8s %10.1f %9s %8s %11s" % (
        "kubectl get <9 kinds> -o json (cold cache)", cold_req,
        t_cold * 1000, "(1 run)", "", ""))
    print("(%d runs each, alternated; %s)" % (runs, os.uname().machine))
    ok = ours_req < cold_req and ours_req <= warm_req and \
        statistics.median(t_ours) < statistics.median(t_theirs)
    print("ours: %d requests; kubectl: %d with a warm discovery cache, %d "
          "with a cold one; ours takes %.1fx less time (median)" % (
              ours_req, warm_req, cold_req,
              statistics.median(t_theirs) / statistics.median(t_ours)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
