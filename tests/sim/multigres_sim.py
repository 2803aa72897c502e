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

Only the Python 3 standard library is used.  Run with --help for the flags;
README.md beside this file describes the control API.
"""

import argparse
import collections
import datetime
import heapq
import http.server
import json
import os
import posixpath
import re
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import etcd as etcdmod  # noqa: E402
import kube  # noqa: E402
import pb  # noqa: E402

# enum numbers used below (see pb.ENUMS)
MULTIPOOLER = 1
TYPE_UNKNOWN, TYPE_PRIMARY, TYPE_REPLICA = 0, 1, 2
SERVING, DISABLED, DRAINING = 0, 1, 4
LC_ACTIVE, LC_STOPPING, LC_SHUTDOWN, LC_QUARANTINED = 2, 3, 4, 5
ROLE_NONE, ROLE_PRIMARY, ROLE_REPLICA = 0, 1, 2
QUORUM_AT_LEAST_N = 3

POOL_COMPONENT = "shard-pool"
LBL_COMPONENT = "app.kubernetes.io/component"
LBL_CLUSTER = "multigres.com/cluster"
LBL_CELL = "multigres.com/cell"
LBL_DATABASE = "multigres.com/database"
LBL_TABLEGROUP = "multigres.com/tablegroup"
LBL_SHARD = "multigres.com/shard"

DEFAULT_FAULTS = {
    "topoDown": False,        # multiadmin's topology-backed routes fail
    "slowSwitchover": 0.0,    # seconds SwitchPrimary takes before answering
    "switchDelay": 1.0,       # seconds from the answer to the new primary
    "switchFail": None,       # message: SwitchPrimary fails (ResignLeadership error)
    "noElection": False,      # after a resign / primary loss nobody is promoted
    "noBackups": False,       # GetBackups answers an empty list
    "backupsError": None,     # message: GetBackups fails
    "orphanOnDelete": False,  # a deleted pod's record stays as it was
    "quarantine": [],         # pod names or service ids published QUARANTINED
    "backupDuration": 1.0,    # seconds a Backup job runs
}

GRPC_CODES = {  # name -> (number, HTTP status, Connect code)
    "InvalidArgument": (3, 400, "invalid_argument"),
    "DeadlineExceeded": (4, 504, "deadline_exceeded"),
    "NotFound": (5, 404, "not_found"),
    "FailedPrecondition": (9, 400, "failed_precondition"),
    "Unknown": (2, 500, "unknown"),
    "Internal": (13, 500, "internal"),
    "Unavailable": (14, 503, "unavailable"),
    "Unimplemented": (12, 501, "unimplemented"),
}


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class TopoError(Exception):
    """Mirrors upstream's topo error strings: 'topo error [N]: ...'."""
    NO_NODE, TIMEOUT, BAD_INPUT = 1, 3, 11

    def __init__(self, code, node):
        self.code = code
        text = {1: "node doesn't exist: ", 3: "deadline exceeded: "}.get(code, "") + node
        super().__init__("topo error [%d]: %s" % (code, text))


def log(msg):
    if os.environ.get("MG_SIM_QUIET"):
        return
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]
    sys.stderr.write("%s multigres-sim: %s\n" % (ts, msg))
    sys.stderr.flush()


def pjoin(*parts):
    """Go's path.Join: join with '/', then clean."""
    joined = "/".join(p for p in parts if p)
    return posixpath.normpath(joined) if joined else ""


def fnv_hash(parts):
    """The operator's name hash: FNV-1a 32 over each part plus a 0 byte."""
    h = 0x811C9DC5
    for p in parts:
        for c in p.encode("utf-8") + b"\0":
            h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
    return "%08x" % h


def now_ts(t=None):
    t = time.time() if t is None else t
    secs = int(t)
    return {"seconds": secs, "nanos": int(round((t - secs) * 1e6)) * 1000}


# -------------------------------------------------------------- pod parsing

def _pooler_args(pod):
    """The multipooler container's --flag=value args and env, if any."""
    for c in (pod.get("spec") or {}).get("containers") or []:
        args = list(c.get("command") or []) + list(c.get("args") or [])
        if c.get("name") == "multipooler" or "multipooler" in args[:1]:
            flags = {}
            for a in args:
                if a.startswith("--") and "=" in a:
                    k, v = a[2:].split("=", 1)
                    flags[k] = v
            env = {e.get("name"): e.get("value") for e in c.get("env") or []}
            return flags, env
    return {}, {}


def is_pool_pod(pod):
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return labels.get(LBL_COMPONENT) == POOL_COMPONENT


def pod_identity(pod, hostname_style="pod"):
    """What a multipooler in this pod would register with, or None when the
    pod does not carry enough to know its shard."""
    md = pod.get("metadata") or {}
    labels = md.get("labels") or {}
    flags, env = _pooler_args(pod)
    name = md.get("name")
    ident = {
        "pod": name,
        "namespace": md.get("namespace") or "default",
        "cell": labels.get(LBL_CELL) or flags.get("cell"),
        "database": labels.get(LBL_DATABASE) or flags.get("database"),
        "table_group": labels.get(LBL_TABLEGROUP) or flags.get("table-group"),
        "shard": labels.get(LBL_SHARD) or flags.get("shard"),
    }
    if not all(ident.values()):
        return None
    ident["name"] = flags.get("service-id") or "p-" + fnv_hash([name])
    host = name
    sub = (pod.get("spec") or {}).get("subdomain")
    if hostname_style == "fqdn" and sub:
        host = "%s.%s.%s.svc.cluster.local" % (name, sub, ident["namespace"])
    ident["hostname"] = host

    def port(flag, dflt):
        try:
            return int(flags.get(flag, dflt))
        except ValueError:
            return dflt
    ident["port_map"] = {"grpc": port("grpc-port", 15270), "http": port("http-port", 15200),
                         "postgres": port("pg-port", 5432),
                         "pgbackrest": port("pgbackrest-port", 8432)}
    ident["pooler_dir"] = flags.get("pooler-dir", "/var/lib/pooler")
    ident["pg_data_dir"] = env.get("PGDATA") or ident["pooler_dir"] + "/pg_data"
    return ident


def pod_state(pod):
    """'running', 'terminating' or 'absent' (not started / finished)."""
    md = pod.get("metadata") or {}
    phase = (pod.get("status") or {}).get("phase")
    if phase != "Running":
        return "absent"
    if md.get("deletionTimestamp"):
        return "terminating"
    return "running"


# ------------------------------------------------------------ the poolers

class Pooler:
    """One simulated multipooler process: the record it publishes."""

    def __init__(self, ident):
        self.__dict__.update(ident)
        self.role = ROLE_REPLICA
        self.term = 0
        self.subterm = 0
        self.serving = SERVING
        self.lifecycle = LC_ACTIVE
        self.reason = "pooler active"
        self.updated = time.time()
        self.key = None          # etcd key, once the cell root is known
        self.terminating = False

    @property
    def shard_key(self):
        return (self.database, self.table_group, self.shard)

    @property
    def live(self):
        """Can take part in an election."""
        return not self.terminating and self.lifecycle == LC_ACTIVE

    def set_lifecycle(self, status, reason):
        if self.lifecycle != status:
            self.lifecycle, self.reason, self.updated = status, reason, time.time()

    def id_msg(self):
        return {"component": MULTIPOOLER, "cell": self.cell, "name": self.name}

    def record(self):
        rec = {
            "id": self.id_msg(),
            "shard_key": {"database": self.database, "table_group": self.table_group,
                          "shard": self.shard},
            "serving_status": self.serving,
            "hostname": self.hostname,
            "port_map": dict(self.port_map),
            "pooler_dir": self.pooler_dir,
            "pg_data_dir": self.pg_data_dir,
            "lifecycle_status": {"status": self.lifecycle, "reason": self.reason,
                                 "updated": now_ts(self.updated)},
        }
        if self.lifecycle == LC_SHUTDOWN or self.role == ROLE_NONE:
            rec["type"] = TYPE_UNKNOWN if self.lifecycle == LC_SHUTDOWN else TYPE_REPLICA
        else:
            rs = {"role": self.role}
            if self.role == ROLE_PRIMARY:
                rs["rule"] = {"coordinator_term": self.term, "leader_subterm": self.subterm}
            rec["routing_state"] = rs
            rec["type"] = TYPE_PRIMARY if self.role == ROLE_PRIMARY else TYPE_REPLICA
        return rec

    def summary(self):
        return {"pod": self.pod, "namespace": self.namespace, "cell": self.cell,
                "name": self.name, "key": self.key, "database": self.database,
                "tableGroup": self.table_group, "shard": self.shard,
                "role": pb.ENUMS["RoutingRole"][self.role],
                "rule": [self.term, self.subterm] if self.role == ROLE_PRIMARY else None,
                "servingStatus": pb.ENUMS["PoolerServingStatus"][self.serving],
                "lifecycle": pb.ENUMS["PoolerLifecycleStatus"][self.lifecycle],
                "terminating": self.terminating}


def rule_of(rec):
    r = (rec.get("routing_state") or {}).get("rule") or {}
    return (int(r.get("coordinator_term", 0)), int(r.get("leader_subterm", 0)))


def is_live_primary_record(rec):
    lc = (rec.get("lifecycle_status") or {}).get("status", 0)
    return ((rec.get("routing_state") or {}).get("role") == ROLE_PRIMARY
            and lc not in (LC_SHUTDOWN, LC_QUARANTINED))


class Scheduler(threading.Thread):
    """Runs callables at a later time, on one thread."""

    def __init__(self):
        super().__init__(name="scheduler", daemon=True)
        self.cond = threading.Condition()
        self.heap = []
        self.seq = 0
        self.stopped = False

    def at(self, delay, fn):
        with self.cond:
            self.seq += 1
            heapq.heappush(self.heap, (time.monotonic() + max(0.0, delay), self.seq, fn))
            self.cond.notify()

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify()

    def run(self):
        while True:
            with self.cond:
                while not self.stopped and (not self.heap or self.heap[0][0] > time.monotonic()):
                    self.cond.wait(None if not self.heap else self.heap[0][0] - time.monotonic())
                if self.stopped:
                    return
                _, _, fn = heapq.heappop(self.heap)
            try:
                fn()
            except Exception as e:  # keep the scheduler alive
                log("scheduled action failed: %r" % e)


# ----------------------------------------------------------------- the sim

class Sim:
    def __init__(self, etcd_url, root, cell_root="{root}", hostname_style="pod",
                 on_pod_delete="remove", seed_backup_age=3600.0, faults=None):
        self.etcd = etcdmod.Etcd(etcd_url)
        self.root = pjoin(root)
        self.cell_root_tmpl = cell_root
        self.hostname_style = hostname_style
        self.on_pod_delete = on_pod_delete
        self.seed_backup_age = seed_backup_age
        self.faults = dict(DEFAULT_FAULTS)
        self.faults.update(faults or {})
        self.initial_faults = dict(self.faults)  # what DELETE /_sim/faults restores
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.poolers = {}            # (namespace, pod) -> Pooler
        self.dead_keys = set()       # keys left behind by deleted pods
        self.cell_roots = {}         # cell -> root
        self.db_cells = {}           # database -> cells already in its record
        self.own_dbs = set()         # databases whose record the sim wrote
        self.queue = collections.OrderedDict()  # op -> seq, in publish order
        self.fixed = {}              # key -> bytes for queued ("w", key) ops
        self.seq = 0
        self.terms = {}              # shard key -> highest coordinator term seen
        self.pending_switch = {}     # shard key -> pod key of the resigning primary
        self.backups = {}            # shard key -> [backup dict], oldest first
        self.jobs = {}               # job id -> job dict
        self.etcd_ok = True
        self.stopping = threading.Event()
        self.sched = Scheduler()
        self.publisher = threading.Thread(target=self._publish_loop, name="publisher",
                                          daemon=True)

    def start(self):
        self.sched.start()
        self.publisher.start()

    def stop(self):
        self.stopping.set()
        self.sched.stop()
        with self.cond:
            self.cond.notify_all()

    # ------------------------------------------------------- etcd plumbing

    def cell_key(self, cell):
        return pjoin(self.root, "cells", cell, "Cell")

    def db_key(self, db):
        return pjoin(self.root, "databases", db, "Database")

    def pooler_key(self, cell_root, cell, name):
        return pjoin(cell_root, "poolers", "multipooler-%s-%s" % (cell, name), "Pooler")

    def resolve_cell(self, cell):
        """The cell's topology root: from its Cell record, or from a Cell
        record the sim creates.  Raises EtcdError when etcd is unreachable."""
        with self.lock:
            if cell in self.cell_roots:
                return self.cell_roots[cell]
        kv = self.etcd.get(self.cell_key(cell))
        if kv is None:
            root = pjoin(self.cell_root_tmpl.format(root=self.root, cell=cell))
            rec = {"name": cell, "server_addresses": [self.etcd.address], "root": root}
            if self.etcd.create(self.cell_key(cell), pb.encode("Cell", rec)):
                log("created Cell %s (root %s)" % (cell, root))
            kv = self.etcd.get(self.cell_key(cell))
        root = self.root
        if kv is not None:
            root = pb.decode("Cell", kv["value"]).get("root") or self.root
        with self.lock:
            self.cell_roots[cell] = root
        return root

    def ensure_database(self, db, cell):
        """Create the Database record if missing; add cells to it when the
        sim wrote it.  Records written by others are left alone."""
        with self.lock:
            if cell in self.db_cells.get(db, ()):
                return
        key = self.db_key(db)
        kv = self.etcd.get(key)
        if kv is None:
            rec = {"name": db, "backup_location": {"filesystem": {"path": "/backups"}},
                   "cells": [cell],
                   "bootstrap_durability_policy": {
                       "policy_name": "AT_LEAST_2", "quorum_type": QUORUM_AT_LEAST_N,
                       "required_count": 2,
                       "description": "At least 2 nodes must acknowledge"}}
            if self.etcd.create(key, pb.encode("Database", rec)):
                log("created Database %s" % db)
                with self.lock:
                    self.own_dbs.add(db)
            kv = self.etcd.get(key)
        rec = pb.decode("Database", kv["value"]) if kv else {}
        cells = list(rec.get("cells") or [])
        with self.lock:
            own = db in self.own_dbs
        if own and cell not in cells:
            rec["cells"] = sorted(cells + [cell])
            self.etcd.put(key, pb.encode("Database", rec))
        with self.lock:
            self.db_cells.setdefault(db, set()).update(cells + [cell])

    def _enqueue(self, op):
        """op is ("p", podkey) to publish a pooler's current record,
        ("w", etcdkey) to write the bytes kept in self.fixed, or ("d",
        etcdkey) to delete a key.  Ops run in the order they were last
        queued."""
        with self.cond:
            self.seq += 1
            self.queue.pop(op, None)
            self.queue[op] = self.seq
            self.cond.notify_all()

    def publish(self, p):
        self._enqueue(("p", (p.namespace, p.pod)))

    def _publish_loop(self):
        failing = False
        while not self.stopping.is_set():
            with self.cond:
                while not self.queue and not self.stopping.is_set():
                    self.cond.wait()
                if self.stopping.is_set():
                    return
                op, seq = next(iter(self.queue.items()))
                p = self.poolers.get(op[1]) if op[0] == "p" else None
            try:
                if op[0] == "d":
                    self.etcd.delete(op[1])
                elif op[0] == "w":
                    with self.lock:
                        value = self.fixed.get(op[1])
                    if value is not None:
                        self.etcd.put(op[1], value)
                elif p is not None:
                    if p.key is None:
                        root = self.resolve_cell(p.cell)
                        self.ensure_database(p.database, p.cell)
                        with self.lock:
                            p.key = self.pooler_key(root, p.cell, p.name)
                    with self.lock:
                        key, value = p.key, pb.encode("Multipooler", p.record())
                    self.etcd.put(key, value)
                with self.cond:
                    if self.queue.get(op) == seq:
                        del self.queue[op]
                        if op[0] == "w":
                            self.fixed.pop(op[1], None)
                    self.etcd_ok = True
                    self.cond.notify_all()
                if failing:
                    log("etcd reachable again; publishing resumed")
                    failing = False
            except etcdmod.EtcdError as e:
                with self.lock:
                    self.etcd_ok = False
                if not failing:
                    log("cannot publish (%s); will retry" % e)
                    failing = True
                self.stopping.wait(0.5)

    def flush(self, timeout=10.0):
        """Wait until every queued write is in etcd.  True on success."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    # ---------------------------------------------------- topology reads

    def shard_records(self, shard):
        """Every pooler record of a shard, across the cells (key -> record).
        Raises EtcdError."""
        out = {}
        for cell in self.cell_names_raw():
            root = self.resolve_cell(cell)
            for kv in self.etcd.list_prefix(pjoin(root, "poolers") + "/"):
                if not kv["key"].endswith("/Pooler"):
                    continue
                try:
                    rec = pb.decode("Multipooler", kv["value"])
                except ValueError:
                    continue
                sk = rec.get("shard_key") or {}
                if (sk.get("database"), sk.get("table_group"), sk.get("shard")) == shard \
                        and (rec.get("id") or {}).get("cell") == cell:
                    out[kv["key"]] = rec
        return out

    def cell_names_raw(self):
        prefix = pjoin(self.root, "cells") + "/"
        names = []
        for kv in self.etcd.list_prefix(prefix):
            rest = kv["key"][len(prefix):].split("/")
            if len(rest) == 2 and rest[1] == "Cell":
                names.append(rest[0])
        return names

    # ------------------------------------------------------ pod following

    def pod_event(self, kind, pod):
        """ADDED / MODIFIED / DELETED for a pod (from the watch or the
        control API)."""
        if not is_pool_pod(pod):
            return
        md = pod.get("metadata") or {}
        pkey = (md.get("namespace") or "default", md.get("name"))
        state = "absent" if kind == "DELETED" else pod_state(pod)
        with self.lock:
            known = self.poolers.get(pkey)
        if state == "absent":
            if known:
                self._pod_gone(known)
        elif state == "terminating":
            if known:
                self._pod_terminating(known)
        elif not known:
            ident = pod_identity(pod, self.hostname_style)
            if ident is None:
                log("pod %s/%s lacks cell/database/tablegroup/shard labels; ignored" % pkey)
                return
            self._register(ident)

    def _register(self, ident):
        shard = (ident["database"], ident["table_group"], ident["shard"])
        existing, others = None, {}
        try:  # what the topology already says (outside the lock)
            root = self.resolve_cell(ident["cell"])
            self.ensure_database(ident["database"], ident["cell"])
            key = self.pooler_key(root, ident["cell"], ident["name"])
            kv = self.etcd.get(key)
            if kv:
                existing = pb.decode("Multipooler", kv["value"])
            others = self.shard_records(shard)
        except (etcdmod.EtcdError, ValueError) as e:
            log("topology not readable while registering %s (%s); deciding from memory"
                % (ident["pod"], e))
            key = None
        with self.lock:
            p = Pooler(ident)
            p.key = key
            pkey = (p.namespace, p.pod)
            if pkey in self.poolers:
                return
            own_keys = {q.key for q in self.poolers.values()}
            for k, rec in others.items():
                self._note_term(shard, rule_of(rec)[0])
            foreign_primary = any(
                is_live_primary_record(rec) for k, rec in others.items()
                if k != key and k not in own_keys and k not in self.dead_keys)
            own_primary = any(q.role == ROLE_PRIMARY and q.live for q in self.poolers.values()
                              if q.shard_key == shard)
            if existing and is_live_primary_record(existing) and not own_primary:
                p.role = ROLE_PRIMARY  # a restarted primary keeps its rule
                p.term, p.subterm = rule_of(existing)
            elif not own_primary and not foreign_primary:
                p.role = ROLE_PRIMARY
                p.term = self._next_term(shard)
            self.dead_keys.discard(key)
            self.poolers[pkey] = p
            if self._quarantine_listed(p):
                self._quarantine(p)
            self._seed_backups(p)
            self.publish(p)
            log("pod %s/%s -> %s %s in %s/%s/%s" % (
                p.namespace, p.pod, p.name, pb.ENUMS["RoutingRole"][p.role], *shard))

    def _note_term(self, shard, term):
        if term > self.terms.get(shard, 0):
            self.terms[shard] = term

    def _next_term(self, shard):
        for q in self.poolers.values():
            if q.shard_key == shard:
                self._note_term(shard, q.term)
        t = self.terms.get(shard, 0) + 1
        self.terms[shard] = t
        return t

    def _pod_terminating(self, p):
        with self.lock:
            if p.terminating:
                return
            p.terminating = True
            was_primary = p.role == ROLE_PRIMARY
            if not self.faults["orphanOnDelete"]:
                # graceful shutdown begins: STOPPING, not serving
                p.set_lifecycle(LC_STOPPING, "shutting down")
                p.serving = DISABLED
                self.publish(p)
            if was_primary:
                self._schedule_failover(p.shard_key)

    def _pod_gone(self, p):
        with self.lock:
            pkey = (p.namespace, p.pod)
            if self.poolers.get(pkey) is not p:
                return
            was_primary = p.role == ROLE_PRIMARY and not p.terminating
            p.terminating = True
            if self.faults["orphanOnDelete"]:
                # the process died without a word: its last record stays
                if p.key:
                    self.dead_keys.add(p.key)
                self.queue.pop(("p", pkey), None)
                del self.poolers[pkey]
                log("pod %s/%s gone; record %s left behind (orphanOnDelete)" % (*pkey, p.key))
            elif self.on_pod_delete == "shutdown":
                # the last words of a gracefully stopped multipooler
                p.set_lifecycle(LC_SHUTDOWN, "pooler shutdown")
                p.role = ROLE_NONE
                p.serving = DISABLED
                self.queue.pop(("p", pkey), None)
                del self.poolers[pkey]
                if p.key:
                    self.fixed[p.key] = pb.encode("Multipooler", p.record())
                    self._enqueue(("w", p.key))
                    self.dead_keys.add(p.key)
                log("pod %s/%s gone; record marked LIFECYCLE_SHUTDOWN" % pkey)
            else:
                self.queue.pop(("p", pkey), None)
                del self.poolers[pkey]
                if p.key:
                    self._enqueue(("d", p.key))
                log("pod %s/%s gone; record removed" % pkey)
            if was_primary:
                self._schedule_failover(p.shard_key)

    # ---------------------------------------------- multiorch's part

    def _candidates(self, shard, exclude=None):
        c = [q for q in self.poolers.values()
             if q.shard_key == shard and q.live and q is not exclude]
        c.sort(key=lambda q: (q.serving != SERVING, q.cell, q.name))
        return c

    def _schedule_failover(self, shard):
        delay = float(self.faults["switchDelay"])
        self.sched.at(delay, lambda: self._failover(shard))

    def _failover(self, shard):
        with self.lock:
            if self.faults["noElection"]:
                return
            if any(q.role == ROLE_PRIMARY and q.live for q in self.poolers.values()
                   if q.shard_key == shard):
                return
            cands = self._candidates(shard)
            if not cands:
                log("shard %s/%s/%s has no candidate to promote" % shard)
                return
            self._promote(cands[0])

    def _promote(self, p):
        p.role = ROLE_PRIMARY
        p.term = self._next_term(p.shard_key)
        p.subterm = 0
        p.serving = SERVING
        self.publish(p)
        log("promoted %s (%s) to PRIMARY, term %d" % (p.pod, p.name, p.term))

    def _complete_switch(self, shard, old_pkey):
        with self.lock:
            self.pending_switch.pop(shard, None)
            old = self.poolers.get(old_pkey)
            if self.faults["noElection"]:
                if old:
                    old.role, old.serving = ROLE_REPLICA, SERVING
                    self.publish(old)
                return
            if any(q.role == ROLE_PRIMARY and q.live and q is not old
                   for q in self.poolers.values() if q.shard_key == shard):
                # someone else already took over (e.g. the old primary's pod went away)
                if old:
                    old.role, old.serving = ROLE_REPLICA, SERVING
                    self.publish(old)
                return
            cands = self._candidates(shard, exclude=old)
            if cands:
                self._promote(cands[0])  # new primary first: higher rule wins
                if old:
                    old.role, old.serving = ROLE_REPLICA, SERVING
                    self.publish(old)
            elif old:
                self._promote(old)

    def _quarantine_listed(self, p):
        q = self.faults.get("quarantine") or []
        return p.pod in q or p.name in q

    def _quarantine(self, p):
        p.set_lifecycle(LC_QUARANTINED,
                        "postgres unrecoverable: simulated quarantine (multigres-sim)")
        p.serving = DISABLED
        if p.role == ROLE_PRIMARY:
            p.role = ROLE_REPLICA
            self._schedule_failover(p.shard_key)
        else:
            p.role = ROLE_REPLICA

    def apply_faults(self, changes):
        with self.lock:
            for k, v in changes.items():
                if k not in DEFAULT_FAULTS:
                    raise ValueError("unknown fault %r" % k)
                if k == "quarantine":
                    if isinstance(v, str):
                        v = [s for s in v.split(",") if s]
                    v = list(v or [])
                elif isinstance(DEFAULT_FAULTS[k], bool):
                    v = bool(v)
                elif isinstance(DEFAULT_FAULTS[k], float):
                    v = float(v)
                elif v is True:
                    v = "simulated failure"
                elif v is False or v is None:
                    v = None
                else:
                    v = str(v)
                self.faults[k] = v
            for p in self.poolers.values():
                listed = self._quarantine_listed(p)
                if listed and p.lifecycle != LC_QUARANTINED and not p.terminating:
                    self._quarantine(p)
                    self.publish(p)
                elif not listed and p.lifecycle == LC_QUARANTINED:
                    p.set_lifecycle(LC_ACTIVE, "pooler active")
                    p.serving = SERVING
                    self.publish(p)
            return dict(self.faults)

    # --------------------------------------------------------- backups

    def _seed_backups(self, p):
        if self.seed_backup_age is None or p.shard_key in self.backups:
            return
        self.backups[p.shard_key] = []
        stop = time.time() - self.seed_backup_age
        self.add_backup(p.shard_key, "full", stop - 60, stop, pooler_name=p.name,
                        role=p.role, cell=p.cell)

    def add_backup(self, shard, btype, start, stop, pooler_name="", role=ROLE_REPLICA,
                   cell="", status="COMPLETE", job_id=None):
        """Append a pgBackRest-like backup to a shard's repository."""
        kinds = {"full": ("full", "F"), "differential": ("diff", "D"), "diff": ("diff", "D"),
                 "incremental": ("incr", "I"), "incr": ("incr", "I")}
        if btype not in kinds:
            raise ValueError("invalid backup type %r" % btype)
        pgtype, suffix = kinds[btype]
        with self.lock:
            lst = self.backups.setdefault(shard, [])
            label = time.strftime("%Y%m%d-%H%M%S", time.gmtime(start))
            if pgtype != "full":
                fulls = [b for b in lst if b["type"] == "full"]
                base = fulls[-1]["backup_id"] if fulls else label + "F"
                label = base + "_" + label
            label += suffix
            n = len(lst) + 2
            if job_id is None:
                job_id = "%s_multipooler-%s-%s" % (
                    datetime.datetime.fromtimestamp(start, datetime.timezone.utc)
                    .strftime("%Y%m%d-%H%M%S.%f"), cell, pooler_name)
            b = {"backup_id": label, "table_group": shard[1], "shard": shard[2],
                 "type": pgtype, "status": status, "backup_size_bytes": 31457280 * n,
                 "multipooler_id": pooler_name, "routing_role": role,
                 "start_lsn": "0/%X" % (0x2000028 + n * 0x1000000),
                 "stop_lsn": "0/%X" % (0x2000100 + n * 0x1000000),
                 "pg_version": "17.7", "start": int(start), "stop": int(stop),
                 "job_id": job_id}
            lst.append(b)
            return b

    # ------------------------------------------------------- inspection

    def state(self):
        with self.lock:
            return {
                "faults": dict(self.faults),
                "root": self.root,
                "etcdReachable": self.etcd_ok,
                "pendingWrites": len(self.queue),
                "poolers": sorted((p.summary() for p in self.poolers.values()),
                                  key=lambda s: (s["namespace"], s["pod"])),
                "orphanKeys": sorted(self.dead_keys),
                "backups": {"/".join(k): [b["backup_id"] for b in v]
                            for k, v in sorted(self.backups.items())},
                "jobs": {k: dict(v) for k, v in self.jobs.items()},
            }

    def live_pooler_by_key(self, key):
        with self.lock:
            for p in self.poolers.values():
                if p.key == key and not p.terminating:
                    return p
        return None

    def add_orphan(self, spec):
        """Write a record for a pooler no pod backs (as a crashed pod leaves)."""
        cell = spec["cell"]
        root = self.resolve_cell(cell)
        self.ensure_database(spec.get("database", "postgres"), cell)
        ident = {"pod": spec.get("hostname") or spec["name"], "namespace": "",
                 "cell": cell, "name": spec["name"],
                 "database": spec.get("database", "postgres"),
                 "table_group": spec.get("tableGroup", spec.get("table_group", "default")),
                 "shard": spec.get("shard", "0-inf"),
                 "hostname": spec.get("hostname") or spec["name"],
                 "port_map": {"grpc": 15270, "http": 15200, "postgres": 5432, "pgbackrest": 8432},
                 "pooler_dir": "/var/lib/pooler", "pg_data_dir": "/var/lib/pooler/pg_data"}
        p = Pooler(ident)
        role = str(spec.get("role", "REPLICA")).upper()
        if role.endswith("PRIMARY"):
            p.role = ROLE_PRIMARY
            with self.lock:
                p.term = int(spec.get("term") or self._next_term(p.shard_key))
        key = self.pooler_key(root, cell, p.name)
        self.etcd.put(key, pb.encode("Multipooler", p.record()))
        with self.lock:
            self.dead_keys.add(key)
        return key


# ------------------------------------------------------------ multiadmin

class Admin:
    """multiadmin's handlers.  Each returns (message name, dict) or raises
    RpcError; they read the topology from etcd on every call."""

    def __init__(self, sim):
        self.sim = sim

    def _topo_check(self, node):
        if self.sim.faults["topoDown"]:
            raise TopoError(TopoError.TIMEOUT, node)

    def _cell_names(self):
        self._topo_check("cells")
        try:
            return self.sim.cell_names_raw()
        except etcdmod.EtcdError:
            raise TopoError(TopoError.TIMEOUT, "cells")

    def _get(self, rel, msg):
        self._topo_check(rel)
        try:
            kv = self.sim.etcd.get(pjoin(self.sim.root, rel))
        except etcdmod.EtcdError:
            raise TopoError(TopoError.TIMEOUT, rel)
        if kv is None:
            raise TopoError(TopoError.NO_NODE, rel)
        return pb.decode(msg, kv["value"])

    def _poolers_by_cell(self, cell, database="", table_group="", shard=""):
        if database and shard and not table_group:
            raise TopoError(TopoError.BAD_INPUT,
                            "cannot filter by Shard without specifying TableGroup")
        cellrec = self._get(pjoin("cells", cell, "Cell"), "Cell")
        root = cellrec.get("root") or self.sim.root
        try:
            kvs = self.sim.etcd.list_prefix(pjoin(root, "poolers") + "/")
        except etcdmod.EtcdError:
            raise TopoError(TopoError.TIMEOUT, "poolers")
        out = []
        for kv in kvs:
            if not kv["key"].endswith("/Pooler"):
                continue
            try:
                rec = pb.decode("Multipooler", kv["value"])
            except (ValueError, UnicodeDecodeError):
                raise RuntimeError("proto: cannot parse invalid wire-format data")
            if (rec.get("id") or {}).get("cell") != cell:
                continue
            sk = rec.get("shard_key") or {}
            if database:
                if sk.get("database", "") != database:
                    continue
                if table_group and sk.get("table_group", "") != table_group:
                    continue
                if shard and sk.get("shard", "") != shard:
                    continue
            out.append((kv["key"], rec))
        return out

    def _list_by_cell(self, kind, msg, cells):
        out = []
        for cell in cells or self._cell_names():
            cellrec = self._get(pjoin("cells", cell, "Cell"), "Cell")
            root = cellrec.get("root") or self.sim.root
            try:
                kvs = self.sim.etcd.list_prefix(pjoin(root, kind + "s") + "/")
            except etcdmod.EtcdError:
                raise TopoError(TopoError.TIMEOUT, kind + "s")
            for kv in kvs:
                rec = pb.decode(msg, kv["value"])
                if (rec.get("id") or {}).get("cell") == cell:
                    out.append(rec)
        return out

    # --- routes

    def GetCellNames(self, req):
        try:
            return "NamesResponse", {"names": self._cell_names()}
        except TopoError as e:
            raise RpcError("Internal", "failed to retrieve cell names: %s" % e)

    def GetDatabaseNames(self, req):
        self._check_topo_rpc("failed to retrieve database names: %s", "databases")
        prefix = pjoin(self.sim.root, "databases") + "/"
        try:
            kvs = self.sim.etcd.list_prefix(prefix)
        except etcdmod.EtcdError:
            raise RpcError("Internal", "failed to retrieve database names: %s"
                           % TopoError(TopoError.TIMEOUT, "databases"))
        names = []
        for kv in kvs:
            rest = kv["key"][len(prefix):].split("/")
            if len(rest) == 2 and rest[1] == "Database":
                names.append(rest[0])
        return "NamesResponse", {"names": names}

    def _check_topo_rpc(self, fmt, node):
        if self.sim.faults["topoDown"]:
            raise RpcError("Internal", fmt % TopoError(TopoError.TIMEOUT, node))

    def GetCell(self, req):
        name = req.get("name", "")
        if not name:
            raise RpcError("InvalidArgument", "cell name cannot be empty")
        try:
            return "GetCellResponse", {"cell": self._get(pjoin("cells", name, "Cell"), "Cell")}
        except TopoError as e:
            if e.code == TopoError.NO_NODE:
                raise RpcError("NotFound", "cell '%s' not found" % name)
            raise RpcError("Internal", "failed to retrieve cell: %s" % e)

    def GetDatabase(self, req):
        name = req.get("name", "")
        if not name:
            raise RpcError("InvalidArgument", "database name cannot be empty")
        try:
            rec = self._get(pjoin("databases", name, "Database"), "Database")
            return "GetDatabaseResponse", {"database": rec}
        except TopoError as e:
            if e.code == TopoError.NO_NODE:
                raise RpcError("NotFound", "database '%s' not found" % name)
            raise RpcError("Internal", "failed to retrieve database: %s" % e)

    def GetPoolers(self, req):
        cells = req.get("cells") or []
        if not cells:
            try:
                cells = self._cell_names()
            except TopoError as e:
                raise RpcError("Internal", "failed to retrieve cell names: %s" % e)
        poolers, errors = [], []
        for cell in cells:
            try:
                # the request has no table_group: upstream passes database+shard only
                recs = self._poolers_by_cell(cell, req.get("database", ""), "",
                                             req.get("shard", "") if req.get("database") else "")
                poolers.extend(r for _, r in recs)
            except (TopoError, RuntimeError) as e:
                errors.append("failed to get poolers for cell %s: %s" % (cell, e))
        if errors:
            # a plain Go error: the status code becomes Unknown and the
            # partial list is lost on the HTTP paths
            raise RpcError("Unknown", "partial results returned due to errors in %d cell(s): [%s]"
                           % (len(errors), " ".join(errors)))
        return "GetPoolersResponse", {"poolers": poolers}

    def GetGateways(self, req):
        try:
            return "GetGatewaysResponse", {"gateways": self._list_by_cell(
                "gateway", "Multigateway", req.get("cells"))}
        except TopoError as e:
            raise RpcError("Internal", "failed to retrieve gateways: %s" % e)

    def GetOrchs(self, req):
        try:
            return "GetOrchsResponse", {"orchs": self._list_by_cell(
                "orch", "Multiorch", req.get("cells"))}
        except TopoError as e:
            raise RpcError("Internal", "failed to retrieve orchs: %s" % e)

    def _find_shard_poolers(self, sk):
        try:
            cells = self._cell_names()
        except TopoError as e:
            raise RpcError("Internal", "failed to list cells: %s" % e)
        out = []
        for cell in cells:
            try:
                out.extend(self._poolers_by_cell(cell, sk[0], sk[1], sk[2]))
            except (TopoError, RuntimeError) as e:
                log("failed to list poolers in cell %s: %s" % (cell, e))
        if not out:
            raise RpcError("NotFound", "no poolers found for shard %s/%s/%s" % sk)
        return out

    def SwitchPrimary(self, req):
        skm = req.get("shard_key")
        if not skm:
            raise RpcError("InvalidArgument", "shard_key is required")
        sk = (skm.get("database", ""), skm.get("table_group", ""), skm.get("shard", ""))
        leader, has_standby = None, False
        for key, rec in self._find_shard_poolers(sk):
            if (rec.get("routing_state") or {}).get("role") == ROLE_PRIMARY:
                leader = (key, rec)
            else:
                has_standby = True
        if leader is None:
            raise RpcError("NotFound", "no PRIMARY pooler found for shard %s/%s/%s" % sk)
        if not has_standby:
            raise RpcError("FailedPrecondition", "no standby poolers available for promotion")
        slow = float(self.sim.faults["slowSwitchover"])
        if slow > 0:
            time.sleep(slow)
        fail = self.sim.faults["switchFail"]
        if fail is not None:
            raise RpcError("Internal", "ResignLeadership failed: %s" % fail)
        key, rec = leader
        sim = self.sim
        with sim.lock:
            p = sim.live_pooler_by_key(key)
            if p is None:
                raise RpcError("Internal", "ResignLeadership failed: rpc error: code = Unavailable "
                               "desc = connection error: dial tcp: lookup %s: no such host"
                               % rec.get("hostname", ""))
            log("switch-primary %s/%s/%s: %s resigns (reason %r)"
                % (*sk, p.name, req.get("reason", "")))
            p.serving = DRAINING
            sim.publish(p)
            if sk not in sim.pending_switch:
                pkey = (p.namespace, p.pod)
                sim.pending_switch[sk] = pkey
                sim.sched.at(float(sim.faults["switchDelay"]),
                             lambda: sim._complete_switch(sk, pkey))
        sim.flush(2.0)
        return "SwitchPrimaryResponse", {"old_leader_id": rec.get("id") or {}}

    def _find_pooler_for_backup(self, db, tg, shard, force_leader):
        cells = self._cell_names()  # TopoError propagates
        serving = []
        for cell in cells:
            try:
                recs = self._poolers_by_cell(cell, db, tg, "")
            except (TopoError, RuntimeError):
                continue
            serving.extend((k, r) for k, r in recs if r.get("serving_status", 0) == SERVING)
        if force_leader:
            best = None
            for k, r in serving:
                if (r.get("routing_state") or {}).get("role") != ROLE_PRIMARY:
                    continue
                if best is None or rule_of(r) > rule_of(best[1]):
                    best = (k, r)
            if best:
                return best
            raise LookupError("serving leader pooler not found for database=%s, table_group=%s, "
                              "shard=%s" % (db, tg, shard))
        for k, r in serving:
            if (r.get("routing_state") or {}).get("role") != ROLE_PRIMARY:
                return k, r
        raise LookupError("serving follower pooler not found for database=%s, table_group=%s, "
                          "shard=%s" % (db, tg, shard))

    def _pooler_rpc(self, key, rec):
        p = self.sim.live_pooler_by_key(key)
        if p is None:
            raise ConnectionError("rpc error: code = Unavailable desc = connection error: "
                                  "dial tcp: lookup %s: no such host" % rec.get("hostname", ""))
        return p

    def GetBackups(self, req):
        db, tg = req.get("database", ""), req.get("table_group", "")
        if not db:
            raise RpcError("InvalidArgument", "database cannot be empty")
        if not tg:
            raise RpcError("InvalidArgument", "table_group cannot be empty")
        try:
            key, rec = self._find_pooler_for_backup(db, tg, req.get("shard", ""), False)
        except TopoError as e:
            raise RpcError("NotFound", "failed to find replica pooler: failed to get cell "
                           "names: %s" % e)
        except LookupError as e:
            raise RpcError("NotFound", "failed to find replica pooler: %s" % e)
        try:
            p = self._pooler_rpc(key, rec)
        except ConnectionError as e:
            raise RpcError("Internal", "failed to get backups from pooler: %s" % e)
        faults = self.sim.faults
        if faults["backupsError"] is not None:
            raise RpcError("Internal", "failed to get backups from pooler: %s"
                           % faults["backupsError"])
        with self.sim.lock:
            lst = [] if faults["noBackups"] else list(self.sim.backups.get(p.shard_key, []))
        limit = int(req.get("limit") or 0)
        if limit and len(lst) > limit:
            lst = lst[:limit]  # pgBackRest lists oldest first; the limit keeps the oldest
        out = []
        for b in lst:
            out.append({
                "backup_id": b["backup_id"], "database": db, "table_group": b["table_group"],
                "shard": b["shard"], "type": b["type"],
                "status": {"COMPLETE": 2, "INCOMPLETE": 1}.get(b["status"], 0),
                "backup_size_bytes": b["backup_size_bytes"],
                "multipooler_service_id": b["multipooler_id"], "routing_role": b["routing_role"],
                "start_lsn": b["start_lsn"], "stop_lsn": b["stop_lsn"],
                "pg_version": b["pg_version"],
                "start_timestamp": {"seconds": b["start"]} if b["start"] else None,
                "stop_timestamp": {"seconds": b["stop"]} if b["stop"] else None,
                "job_id": b["job_id"]})
        return "GetBackupsResponse", {"backups": out}

    def Backup(self, req):
        db, tg, shard = req.get("database", ""), req.get("table_group", ""), req.get("shard", "")
        try:
            key, rec = self._find_pooler_for_backup(db, tg, shard, bool(req.get("force_primary")))
        except TopoError as e:
            raise RpcError("FailedPrecondition", "failed to find pooler: failed to get cell "
                           "names: %s" % e)
        except LookupError as e:
            raise RpcError("FailedPrecondition", "failed to find pooler: %s" % e)
        pid = rec.get("id") or {}
        start = time.time()
        job_id = "%s_multipooler-%s-%s" % (
            datetime.datetime.fromtimestamp(start, datetime.timezone.utc)
            .strftime("%Y%m%d-%H%M%S.%f"), pid.get("cell", ""), pid.get("name", ""))
        sim = self.sim
        job = {"job_id": job_id, "job_type": 1, "status": 2, "error_message": "",
               "database": db, "table_group": tg, "shard": shard}
        with sim.lock:
            sim.jobs[job_id] = job
        btype = req.get("type", "")
        role = (rec.get("routing_state") or {}).get("role", ROLE_REPLICA)
        rec_sk = rec.get("shard_key") or {}
        bshard = (rec_sk.get("database", ""), rec_sk.get("table_group", ""),
                  rec_sk.get("shard", ""))

        def finish():
            with sim.lock:
                try:
                    self._pooler_rpc(key, rec)
                    b = sim.add_backup(bshard, btype or "full", start, time.time(),
                                       pooler_name=pid.get("name", ""), role=role,
                                       cell=pid.get("cell", ""), job_id=job_id)
                    job.update(status=3, backup_id=b["backup_id"])
                except (ValueError, ConnectionError) as e:
                    job.update(status=4, error_message="pooler backup failed: %s" % e)
        sim.sched.at(float(sim.faults["backupDuration"]), finish)
        return "BackupResponse", {"job_id": job_id}

    def GetBackupJobStatus(self, req):
        job_id = req.get("job_id", "")
        if not job_id:
            raise RpcError("InvalidArgument", "job_id cannot be empty")
        with self.sim.lock:
            job = self.sim.jobs.get(job_id)
            if job:
                return "GetBackupJobStatusResponse", dict(job)
        db, tg = req.get("database", ""), req.get("table_group", "")
        if not db or not tg:
            raise RpcError("NotFound", "job not found: %s" % job_id)
        try:
            key, rec = self._find_pooler_for_backup(db, tg, req.get("shard", ""), False)
            p = self._pooler_rpc(key, rec)
        except (TopoError, LookupError, ConnectionError):
            raise RpcError("NotFound", "job not found and unable to query pooler: %s" % job_id)
        with self.sim.lock:
            for b in self.sim.backups.get(p.shard_key, []):
                if b["job_id"] == job_id:
                    st = {"COMPLETE": 3, "INCOMPLETE": 4}.get(b["status"], 0)
                    return "GetBackupJobStatusResponse", {
                        "job_id": job_id, "job_type": 1, "status": st, "database": db,
                        "table_group": tg, "shard": req.get("shard", ""),
                        "backup_id": b["backup_id"]}
        raise RpcError("NotFound", "job not found: %s" % job_id)

    def GetPoolerStatus(self, req):
        pid = req.get("pooler_id") or {}
        cell, name = pid.get("cell", ""), pid.get("name", "")
        if not pid:
            raise RpcError("InvalidArgument", "pooler_id cannot be empty")
        if not cell or not name:
            raise RpcError("InvalidArgument", "pooler_id must have both cell and name")
        try:
            cellrec = self._get(pjoin("cells", cell, "Cell"), "Cell")
            key = self.sim.pooler_key(cellrec.get("root") or self.sim.root, cell, name)
            self._topo_check(key)
            try:
                kv = self.sim.etcd.get(key)
            except etcdmod.EtcdError:
                raise TopoError(TopoError.TIMEOUT, key)
            if kv is None:
                raise TopoError(TopoError.NO_NODE, key)
        except TopoError as e:
            if e.code == TopoError.NO_NODE:
                raise RpcError("NotFound", "pooler '%s/%s' not found" % (cell, name))
            raise RpcError("Internal", "failed to retrieve pooler: %s" % e)
        rec = pb.decode("Multipooler", kv["value"])
        try:
            p = self._pooler_rpc(key, rec)
        except ConnectionError as e:
            raise RpcError("Unavailable", "failed to get status from pooler: %s" % e)
        return "GetPoolerStatusResponse", self._status(p)

    def _status(self, p):
        sim = self.sim
        with sim.lock:
            peers = [q for q in sim.poolers.values() if q.shard_key == p.shard_key and q is not p
                     and not q.terminating]
            prim = next((q for q in sim.poolers.values() if q.shard_key == p.shard_key
                         and q.role == ROLE_PRIMARY and q.live), None)
            term = sim.terms.get(p.shard_key, 0)
        lsn = "0/%X" % (0x3000000 + term * 0x100)
        primary = p.role == ROLE_PRIMARY
        st = {"pooler_type": TYPE_PRIMARY if primary else TYPE_REPLICA,
              "is_initialized": True, "has_data_directory": True,
              "postgres_running": p.lifecycle != LC_QUARANTINED,
              "postgres_status": 4 if primary else 2, "wal_position": lsn,
              "shard_id": p.shard, "postgres_ready": p.lifecycle == LC_ACTIVE}
        if primary:
            ids = [q.id_msg() for q in peers]
            st["primary_status"] = {
                "lsn": lsn, "ready": True, "connected_followers": ids,
                "sync_replication_config": {
                    "synchronous_commit": 3, "synchronous_method": 2, "num_sync": 1,
                    "standby_ids": ids,
                    "standby_application_names": ["%s_%s" % (q.cell, q.name) for q in peers]},
                "max_wal_senders": 10}
        else:
            st["replication_status"] = {
                "last_replay_lsn": lsn, "last_receive_lsn": lsn, "wal_replay_pause_state":
                "not paused", "lag": {"seconds": 0},
                "primary_conn_info": {
                    "host": prim.hostname if prim else "", "port": 5432, "user": "postgres",
                    "application_name": "%s_%s" % (p.cell, p.name)},
                "wal_receiver_status": "streaming" if prim else "stopped"}
        decision = {"rule_number": {"coordinator_term": term}}
        if prim:
            decision["leader_id"] = prim.id_msg()
        cs = {"id": p.id_msg(),
              "current_position": {"position": {"decision": decision}, "lsn": lsn}}
        return {"status": st, "consensus_status": cs}


# ------------------------------------------------------------ HTTP layer

ROUTES = [  # method, regex, handler, path fields, allowed query params
    ("GET", r"/api/v1/cells", "GetCellNames", (), ()),
    ("GET", r"/api/v1/cells/([^/]+)", "GetCell", ("name",), ()),
    ("GET", r"/api/v1/databases", "GetDatabaseNames", (), ()),
    ("GET", r"/api/v1/databases/([^/]+)", "GetDatabase", ("name",), ()),
    ("GET", r"/api/v1/gateways", "GetGateways", (), ("cells",)),
    ("GET", r"/api/v1/orchs", "GetOrchs", (), ("cells",)),
    ("GET", r"/api/v1/poolers", "GetPoolers", (), ("cells", "database", "shard")),
    ("GET", r"/api/v1/poolers/([^/]+)/([^/]+)/status", "GetPoolerStatus",
     ("pooler_id.cell", "pooler_id.name"), ()),
    ("GET", r"/api/v1/backups", "GetBackups", (),
     ("database", "table_group", "shard", "limit")),
    ("POST", r"/api/v1/backups", "Backup", (), ()),
    ("GET", r"/api/v1/jobs/([^/]+)", "GetBackupJobStatus", ("job_id",),
     ("database", "table_group", "shard")),
    ("POST", r"/api/v1/shards/([^/]+)/([^/]+)/([^/]+)/switch-primary", "SwitchPrimary",
     ("shard_key.database", "shard_key.table_group", "shard_key.shard"), ()),
]
REPEATED_PARAMS = {"cells"}
CONNECT_METHODS = {r[2] for r in ROUTES}
CONNECT_PREFIX = "/multiadmin.MultiadminService/"


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def normalize_req(obj):
    """JSON input accepts lowerCamelCase and snake_case: turn keys snake."""
    if isinstance(obj, dict):
        return {snake(k): normalize_req(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [normalize_req(v) for v in obj]
    return obj


def set_path(req, dotted, value):
    parts = dotted.split(".")
    for p in parts[:-1]:
        req = req.setdefault(p, {})
    req[parts[-1]] = value


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "multigres-sim"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; errors are logged by the sim
        if os.environ.get("MG_SIM_VERBOSE"):
            log("http: " + fmt % args)

    @property
    def sim(self):
        return self.server.sim

    def _send(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode("utf-8") if ctype == "application/json" else body.encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw.strip():
            return {}
        return json.loads(raw)

    def _rest_error(self, e):
        num, status, _ = GRPC_CODES[e.code]
        self._send(status, {"code": num, "message": e.message, "details": []})

    def _dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        try:
            if path.startswith("/_sim/") or path == "/_sim":
                return self._control(method, path, u.query)
            if path in ("/live", "/ready"):
                return self._send(200, "<html><body>ok</body></html>", "text/html")
            if path.startswith(CONNECT_PREFIX):
                return self._connect(method, path[len(CONNECT_PREFIX):])
            return self._rest(method, path, u.query)
        except BrokenPipeError:
            pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- REST (the transcoder: every field present, errors as google.rpc.Status)

    def _rest(self, method, path, query):
        path_matched = False
        for m, rx, name, fields, params in ROUTES:
            mt = re.fullmatch(rx, path)
            if not mt:
                continue
            path_matched = True
            if m != method:
                continue
            req = {}
            for field, val in zip(fields, mt.groups()):
                set_path(req, field, urllib.parse.unquote(val))
            if method == "GET":
                for k, vals in urllib.parse.parse_qs(query, keep_blank_values=True).items():
                    sk = snake(k)
                    if sk not in params:
                        return self._rest_error(RpcError(
                            "InvalidArgument", "unknown query parameter %r" % k))
                    req[sk] = vals if sk in REPEATED_PARAMS else vals[-1]
                if "limit" in req:
                    try:
                        req["limit"] = int(req["limit"])
                    except ValueError:
                        return self._rest_error(RpcError(
                            "InvalidArgument", "invalid value for limit: %r" % req["limit"]))
            else:
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if ctype not in ("", "application/json"):
                    return self._rest_error(RpcError(
                        "InvalidArgument", "unsupported content type %r" % ctype))
                try:
                    body = normalize_req(self._body())
                except ValueError:
                    return self._rest_error(RpcError("InvalidArgument", "invalid JSON body"))
                for k, v in body.items():
                    if k == "shard_key" and "shard_key" in req:
                        continue  # path variables win
                    req[k] = v
            return self._call(name, req, rest=True)
        if path_matched:
            return self._send(405, "Method Not Allowed\n", "text/plain")
        return self._send(404, "404 page not found\n", "text/plain")

    # --- Connect (POST JSON, zero values left out, errors {"code","message"})

    def _connect(self, method, name):
        if name not in CONNECT_METHODS:
            return self._send(404, {"code": "unimplemented",
                                    "message": "unknown method %s" % name})
        if method != "POST":
            return self._send(405, {"code": "unimplemented", "message": "only POST"})
        try:
            req = normalize_req(self._body())
        except ValueError:
            return self._send(400, {"code": "invalid_argument", "message": "invalid JSON"})
        return self._call(name, req, rest=False)

    def _call(self, name, req, rest):
        admin = self.server.admin
        try:
            msg, body = getattr(admin, name)(req)
        except RpcError as e:
            if rest:
                return self._rest_error(e)
            _, status, ccode = GRPC_CODES[e.code]
            return self._send(status, {"code": ccode, "message": e.message})
        except Exception as e:
            log("handler %s failed: %r" % (name, e))
            err = RpcError("Internal", str(e))
            if rest:
                return self._rest_error(err)
            return self._send(500, {"code": "internal", "message": str(e)})
        return self._send(200, pb.to_json(msg, body, emit_unpopulated=rest))

    # --- control API of the simulator

    def _control(self, method, path, query):
        sim = self.sim
        q = urllib.parse.parse_qs(query)
        try:
            if path == "/_sim/state" and method == "GET":
                st = sim.state()
                st["adminUrl"] = self.server.url
                return self._send(200, st)
            if path == "/_sim/faults":
                if method == "GET":
                    return self._send(200, dict(sim.faults))
                if method == "DELETE":
                    return self._send(200, sim.apply_faults(dict(sim.initial_faults)))
                if method == "POST":
                    return self._send(200, sim.apply_faults(self._body()))
            if path == "/_sim/pods" and method == "POST":
                body = self._body()
                events = body if isinstance(body, list) else [body]
                for ev in events:
                    sim.pod_event(ev.get("type", "ADDED"), ev["object"])
                if "noflush" not in q:
                    sim.flush()
                return self._send(200, {"poolers": sim.state()["poolers"]})
            if path == "/_sim/flush" and method == "POST":
                ok = sim.flush(float(q.get("timeout", ["10"])[0]))
                return self._send(200 if ok else 503, {"pendingWrites": len(sim.queue)})
            if path == "/_sim/orphans" and method == "POST":
                return self._send(200, {"key": sim.add_orphan(self._body())})
            if path == "/_sim/backups":
                if method == "GET":
                    with sim.lock:
                        return self._send(200, {"/".join(k): v for k, v in sim.backups.items()})
                if method == "DELETE":
                    with sim.lock:
                        if q.get("database"):
                            k = (q["database"][0], q.get("tableGroup", ["default"])[0],
                                 q.get("shard", ["0-inf"])[0])
                            sim.backups[k] = []
                        else:
                            for k in sim.backups:
                                sim.backups[k] = []
                    return self._send(200, {})
                if method == "POST":
                    b = normalize_req(self._body())
                    shard = (b.get("database", "postgres"), b.get("table_group", "default"),
                             b.get("shard", "0-inf"))
                    stop = time.time() - float(b.get("age_seconds", 0))
                    start = stop - float(b.get("duration_seconds", 60))
                    rec = sim.add_backup(shard, b.get("type", "full"), start, stop,
                                         pooler_name=b.get("pooler", ""),
                                         cell=b.get("cell", ""),
                                         status=b.get("status", "COMPLETE"))
                    return self._send(200, rec)
            return self._send(404, {"error": "no such control route %s %s" % (method, path)})
        except (ValueError, KeyError, TypeError) as e:
            return self._send(400, {"error": str(e)})
        except etcdmod.EtcdError as e:
            return self._send(503, {"error": str(e)})


class AdminServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sim, port):
        super().__init__(("127.0.0.1", port), Handler)
        self.sim = sim
        self.admin = Admin(sim)
        self.port = self.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port


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
        if not synced.wait(30):
            log("warning: first pod list not done after 30 s; continuing")
        sim.flush(10.0)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
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
