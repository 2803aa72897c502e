"""multiadmin's HTTP API as the simulator serves it: REST under /api/v1
(the transcoder's JSON: lowerCamelCase, every field present, errors as
google.rpc.Status), the Connect JSON path /multiadmin.MultiadminService/<M>
(zero values left out, errors {"code","message"}), /live and /ready, and
the simulator's own control routes under /_sim/.  Like the real multiadmin,
every call reads the topology from etcd.
"""

import datetime
import http.server
import json
import os
import re
import socketserver
import time
import urllib.parse

import etcd as etcdmod
import pb
from simcore import (DRAINING, LC_ACTIVE, LC_QUARANTINED, ROLE_PRIMARY,
                     ROLE_REPLICA, SERVING, TYPE_PRIMARY, TYPE_REPLICA, log, pjoin, rule_of)

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
        raw = self._raw
        if not raw.strip():
            return {}
        return json.loads(raw)

    def _rest_error(self, e):
        num, status, _ = GRPC_CODES[e.code]
        self._send(status, {"code": num, "message": e.message, "details": []})

    def _dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        # always consume the body, so a kept-alive connection stays in step
        n = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(n) if n > 0 else b""
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
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            return self._send(415, {"code": "unknown",
                                    "message": "this simulator speaks Connect JSON only"})
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
