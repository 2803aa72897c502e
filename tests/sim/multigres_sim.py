#!/usr/bin/env python3
"""Multigres data-plane simulator for kubectl-multigres tests.

What it simulates (the public interfaces our C programs read and call):

* the topology records the multipoolers publish in etcd: one binary-protobuf
  `Multipooler` record per running pool pod, under
  `<cellroot>/poolers/multipooler-<cell>-<service-id>/Pooler`, with exactly
  one ROUTING_ROLE_PRIMARY per shard; plus the `Cell` and `Database` records
  in the global root when they are missing (create-if-absent);
* what multiorch does to those records: electing the first primary, failing
  over when the primary's pod goes away or is quarantined, completing a
  planned switchover;
* multiadmin's HTTP API (REST `/api/v1/...` and the Connect JSON path
  `/multiadmin.MultiadminService/<Method>`) for cells, databases, poolers,
  pooler status, backups, backup jobs and SwitchPrimary.  Like the real
  multiadmin it reads the topology from etcd on every call;
* fault switches (topology unreachable for multiadmin, slow / failing /
  never-completing switchover, no backups, failing backup listing,
  quarantined poolers, records left behind by deleted pods).

Pods are followed in a real Kubernetes API server (LIST + WATCH with
bookmarks, re-list on 410), or injected through the control API
`POST /_sim/pods` when no API server is used.

What it does not simulate: PostgreSQL, the query path (multigateway), gRPC
(the real services; multiorch is gRPC only), pgBackRest, gateway and orch
records, locks and shard-init claims, consensus internals (rule history,
cohorts, durability), the 30 s republish loop of a live multipooler (a record
written by someone else stays as written until the sim itself changes it),
and timeouts: where the real multiadmin waits ~15 s for an unreachable etcd,
the sim fails at once.

Only the Python 3 standard library is used.  This file is the command line;
simcore.py holds the poolers and elections, admin.py the HTTP API, pb.py the
protobuf codec, etcd.py and kube.py the clients.  Run with --help for the
flags; README.md beside this file describes keys, routes, faults and the
control API.
"""

import argparse
import json
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kube  # noqa: E402
from admin import AdminServer  # noqa: E402
from simcore import (DEFAULT_FAULTS, LBL_CLUSTER, LBL_COMPONENT, POOL_COMPONENT, Sim,  # noqa: E402
                     log, pjoin)

# ------------------------------------------------------------------ main

def parse_fault(spec):
    """'name' or 'name=value' (CLI spelling, kebab-case) -> (key, value)."""
    name, _, val = spec.partition("=")
    key = re.sub(r"-([a-z])", lambda m: m.group(1).upper(), name.strip())
    if key not in DEFAULT_FAULTS:
        raise argparse.ArgumentTypeError("unknown fault %r (known: %s)" % (
            name, ", ".join(re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), k)
                            for k in DEFAULT_FAULTS)))
    d = DEFAULT_FAULTS[key]
    if isinstance(d, bool):
        return key, val.lower() not in ("0", "false", "no", "off") if val else True
    if isinstance(d, float):
        return key, float(val) if val else 5.0
    if isinstance(d, list):
        return key, [s for s in val.split(",") if s]
    return key, val or "simulated failure"


def write_state_file(path, info):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kubeconfig", help="follow pool pods in this API server (loopback)")
    ap.add_argument("--context", help="kubeconfig context (default: current-context)")
    ap.add_argument("--namespace", help="namespace to watch (default: all namespaces)")
    ap.add_argument("--cluster", help="only pods labelled multigres.com/cluster=NAME")
    ap.add_argument("--etcd", required=True, help="etcd client URL, http://127.0.0.1:PORT")
    ap.add_argument("--root", default="/multigres/global", help="global topology root")
    ap.add_argument("--cell-root", default="{root}",
                    help="root for Cell records the sim creates; {root} and {cell} expand "
                         "(default: the global root, as the operator does without a local topo)")
    ap.add_argument("--admin-port", type=int, default=0, help="multiadmin HTTP port; 0 = pick")
    ap.add_argument("--state-file", help="write {pid, adminPort, adminUrl, ...} here when ready")
    ap.add_argument("--switch-delay", type=float, default=1.0,
                    help="seconds between SwitchPrimary's answer (or a primary's loss) "
                         "and the new primary")
    ap.add_argument("--hostname-style", choices=("pod", "fqdn"), default="pod",
                    help="pooler hostname: the pod name, or <pod>.<subdomain>.<ns>.svc.cluster.local")
    ap.add_argument("--on-pod-delete", choices=("remove", "shutdown"), default="remove",
                    help="remove the record of a deleted pod, or mark it LIFECYCLE_SHUTDOWN")
    ap.add_argument("--backup-age", type=float, default=3600.0,
                    help="each shard starts with one full backup that ended this many seconds "
                         "ago; negative: no seeded backup")
    ap.add_argument("--fault", action="append", default=[], type=parse_fault,
                    help="NAME[=VALUE], repeatable: topo-down, slow-switchover=S, "
                         "switch-delay=S, switch-fail[=MSG], no-election, no-backups, "
                         "backups-error[=MSG], orphan-on-delete, quarantine=POD[,POD], "
                         "backup-duration=S")
    ap.add_argument("--once", action="store_true",
                    help="register the pods that are running now, write topology, exit")
    ap.add_argument("--prune", action="store_true",
                    help="with --once: also delete pooler records no current pod backs")
    args = ap.parse_args(argv)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    faults = {"switchDelay": args.switch_delay}
    faults.update(dict(args.fault))
    sim = Sim(args.etcd, args.root, cell_root=args.cell_root, hostname_style=args.hostname_style,
              on_pod_delete=args.on_pod_delete,
              seed_backup_age=args.backup_age if args.backup_age >= 0 else None, faults=faults)
    sim.start()

    client = None
    selector = "%s=%s" % (LBL_COMPONENT, POOL_COMPONENT)
    if args.cluster:
        selector += ",%s=%s" % (LBL_CLUSTER, args.cluster)
    if args.kubeconfig:
        client = kube.Client(kube.Config(args.kubeconfig, args.context))

    if args.once:
        if client is None:
            ap.error("--once needs --kubeconfig")
        lst = client.list_pods(args.namespace, selector)
        pods = lst.get("items") or []
        for pod in pods:
            sim.pod_event("ADDED", pod)
        ok = sim.flush(15.0)
        if ok and args.prune:
            keep = {p.key for p in sim.poolers.values()}
            for cell in sim.cell_names_raw():
                root = sim.resolve_cell(cell)
                for kv in sim.etcd.list_prefix(pjoin(root, "poolers") + "/"):
                    if kv["key"].endswith("/Pooler") and kv["key"] not in keep:
                        sim.etcd.delete(kv["key"])
                        log("pruned %s" % kv["key"])
        sim.stop()
        log("once: %d pool pod(s), %d pooler record(s) written%s"
            % (len(pods), len(sim.poolers), "" if ok else " (etcd unreachable!)"))
        return 0 if ok else 1

    server = AdminServer(sim, args.admin_port)
    srv_thread = threading.Thread(target=server.serve_forever, name="admin", daemon=True)
    srv_thread.start()

    follower = None
    synced = threading.Event()
    if client is not None:
        follower = kube.PodFollower(client, args.namespace, selector, sim.pod_event,
                                    synced.set, log)
        follower.start()
        deadline = time.monotonic() + 30
        while not synced.wait(0.2) and not done.is_set():
            if time.monotonic() > deadline:
                log("warning: first pod list not done after 30 s; continuing")
                break
        sim.flush(10.0)
    info = {"pid": os.getpid(), "adminPort": server.port, "adminUrl": server.url,
            "etcd": args.etcd, "root": sim.root, "namespace": args.namespace or "",
            "ready": True}
    if args.state_file:
        write_state_file(args.state_file, info)
    print(json.dumps(info), flush=True)
    log("multiadmin on %s (etcd %s, root %s)" % (server.url, args.etcd, sim.root))
    while not done.wait(0.5):
        pass
    log("stopping")
    if follower:
        follower.shutdown()
    server.shutdown()
    server.server_close()
    sim.flush(2.0)
    sim.stop()
    if args.state_file:
        try:
            os.unlink(args.state_file)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
