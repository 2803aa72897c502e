"""The simulated multipoolers and multiorch: which pooler records exist in
etcd and what they say.  Pods come in through Sim.pod_event(); records go
out through a single publisher thread that writes to etcd in order and
retries while etcd is unreachable.  See multigres_sim.py for the overview.
"""

import collections
import datetime
import heapq
import os
import posixpath
import sys
import threading
import time

import etcd as etcdmod
import pb

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
            foreign = [rec for k, rec in others.items()
                       if k != key and k not in own_keys and k not in self.dead_keys
                       and is_live_primary_record(rec)]
            own_primary = any(q.role == ROLE_PRIMARY and q.live for q in self.poolers.values()
                              if q.shard_key == shard)
            foreign_primary = bool(foreign)
            if (existing and is_live_primary_record(existing) and not own_primary
                    and all(rule_of(r) < rule_of(existing) for r in foreign)):
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
                "jobs": {k: pb.to_json("GetBackupJobStatusResponse", v, False)
                         for k, v in self.jobs.items()},
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
