"""Self-tests of the Multigres simulator (stdlib unittest).

Groups:
  * codec and parsing tests: no network;
  * etcd-backed tests: start a real etcd on random loopback ports (skipped,
    with the reason printed, when no etcd binary is found);
  * Kubernetes-backed tests: use MG_TEST_KUBECONFIG when set, otherwise
    start etcd + kube-apiserver from the test binaries (skipped when those
    are missing).

Run with tests/sim/run-tests (prints "sim: N passed, N failed").
"""

import base64
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import etcd as etcdmod  # noqa: E402
import kube  # noqa: E402
import admin as adm  # noqa: E402
import multigres_sim as cli  # noqa: E402
import simcore as ms  # noqa: E402
import pb  # noqa: E402

SIM = os.path.join(HERE, "multigres_sim.py")


# ------------------------------------------------------------------ helpers

def bin_dirs():
    """Folders that may hold etcd / kube-apiserver test binaries."""
    out = []
    if os.environ.get("KUBEBUILDER_ASSETS"):
        out.append(os.environ["KUBEBUILDER_ASSETS"])
    cache = os.environ.get("MG_TESTBIN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "kubectl-multigres", "testbin")
    out.extend(sorted(glob.glob(os.path.join(cache, "v*")), reverse=True))
    return [d for d in out if not d.endswith(".tmp")]


def find_bin(name):
    for d in bin_dirs():
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def http_req(method, url, body=None, headers=None, timeout=10.0):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn.request(method, u.path + ("?" + u.query if u.query else ""), body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
    finally:
        conn.close()
    try:
        return r.status, json.loads(raw)
    except ValueError:
        return r.status, raw.decode("utf-8", "replace")


def make_pod(name, cell="zone1", db="postgres", tg="default", shard="0-inf", ns="ns1",
             phase="Running", args=None, subdomain=None, deleting=False):
    pod = {"metadata": {"name": name, "namespace": ns, "labels": {
        "app.kubernetes.io/component": "shard-pool", "multigres.com/cluster": "c1",
        "multigres.com/cell": cell, "multigres.com/database": db,
        "multigres.com/tablegroup": tg, "multigres.com/shard": shard}},
        "spec": {"containers": [{"name": "multipooler", "image": "x",
                                 "args": args or ["multipooler"]}]},
        "status": {"phase": phase}}
    if subdomain:
        pod["spec"]["subdomain"] = subdomain
    if deleting:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return pod


class EtcdProc:
    """A real etcd on random loopback ports, in a temp dir."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="mgsim-etcd-")
        self.port = free_port()
        self.peer = free_port()
        self.proc = None
        self.url = "http://127.0.0.1:%d" % self.port

    def start(self):
        logf = open(os.path.join(self.dir, "etcd.log"), "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--name", "default", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", "http://127.0.0.1:%d" % self.peer,
             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % self.peer,
             "--initial-cluster", "default=http://127.0.0.1:%d" % self.peer,
             "--unsafe-no-fsync", "--log-level", "error"],
            stdout=logf, stderr=logf)
        logf.close()
        client = etcdmod.Etcd(self.url, timeout=1.0)
        wait_until(lambda: self.proc.poll() is not None or client.healthy(), 30,
                   what="etcd health")
        if self.proc.poll() is not None:
            raise RuntimeError("etcd exited: see %s/etcd.log" % self.dir)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------- protobuf codec

class TestProtobuf(unittest.TestCase):
    def test_varints(self):
        self.assertEqual(pb.enc_varint(0), b"\x00")
        self.assertEqual(pb.enc_varint(1), b"\x01")
        # 150 = 0b1_0010110: low 7 bits 0x16 with the continuation bit -> 0x96, then 0x01
        self.assertEqual(pb.enc_varint(150), b"\x96\x01")
        # 15270 = 119*128 + 38: 0x26|0x80 = 0xa6, then 119 = 0x77
        self.assertEqual(pb.enc_varint(15270), b"\xa6\x77")
        # negative numbers are 64-bit two's complement: nine 0xff then 0x01
        self.assertEqual(pb.enc_varint(-1), b"\xff" * 9 + b"\x01")
        for n in (0, 1, 127, 128, 300, 2 ** 32, 2 ** 63):
            self.assertEqual(pb.dec_varint(pb.enc_varint(n), 0), (n, len(pb.enc_varint(n))))
        self.assertRaises(ValueError, pb.dec_varint, b"\x80", 0)

    def test_id(self):
        # field 1 varint: tag (1<<3)|0 = 0x08, MULTIPOOLER = 1
        # field 2 string: tag (2<<3)|2 = 0x12, length 5, "zone1"
        # field 3 string: tag (3<<3)|2 = 0x1a, length 1, "0"
        want = b"\x08\x01" + b"\x12\x05zone1" + b"\x1a\x010"
        msg = {"component": 1, "cell": "zone1", "name": "0"}
        self.assertEqual(pb.encode("ID", msg), want)
        self.assertEqual(pb.decode("ID", want), msg)

    def test_cell_and_repeated_strings(self):
        # name=1 (0x0a), server_addresses=2 repeated (0x12 per element), root=3 (0x1a)
        want = (b"\x0a\x05zone1" + b"\x12\x0e127.0.0.1:2379" + b"\x12\x05e:123"
                + b"\x1a\x11/multigres/global")
        msg = {"name": "zone1", "server_addresses": ["127.0.0.1:2379", "e:123"],
               "root": "/multigres/global"}
        self.assertEqual(pb.encode("Cell", msg), want)
        self.assertEqual(pb.decode("Cell", want), msg)

    def test_multipooler_primary_record(self):
        rec = {
            "id": {"component": 1, "cell": "z1", "name": "p-1"},
            "shard_key": {"database": "db", "table_group": "default", "shard": "0-inf"},
            "type": 1, "serving_status": 0, "hostname": "pod-0",
            "port_map": {"grpc": 15270, "http": 15200, "postgres": 5432, "pgbackrest": 8432},
            "pooler_dir": "/p", "pg_data_dir": "/p/d",
            "lifecycle_status": {"status": 2, "reason": "ok",
                                 "updated": {"seconds": 1700000000}},
            "routing_state": {"role": 1, "rule": {"coordinator_term": 2}},
        }
        # id (field 1, tag 0x0a): 08 01 | 12 02 "z1" | 1a 03 "p-1"  -> 11 bytes
        f1 = b"\x0a\x0b" + b"\x08\x01\x12\x02z1\x1a\x03p-1"
        # shard_key (field 2, tag 0x12): 0a 02 "db" | 12 07 "default" | 1a 05 "0-inf" -> 20 bytes
        f2 = b"\x12\x14" + b"\x0a\x02db\x12\x07default\x1a\x050-inf"
        # type (field 6 varint, tag 0x30) = PRIMARY 1; serving_status 0 is left out
        f6 = b"\x30\x01"
        # hostname (field 8, tag 0x42)
        f8 = b"\x42\x05pod-0"
        # port_map (field 9, tag 0x4a): one entry per key, sorted by key; each entry is
        # key=1 (0x0a, length, text) then value=2 (0x10, varint), so its length is
        # 2 + len(key) + 1 + len(varint):
        #   grpc 15270 = 119*128+38 -> a6 77                     (2+4+1+2 =  9)
        #   http 15200 = 118*128+96 -> e0 76                     (2+4+1+2 =  9)
        #   pgbackrest 8432 = 65*128+112 -> f0 41                (2+10+1+2 = 15)
        #   postgres 5432 = 42*128+56 -> b8 2a                   (2+8+1+2 = 13)
        f9 = (b"\x4a\x09\x0a\x04grpc\x10\xa6\x77"
              + b"\x4a\x09\x0a\x04http\x10\xe0\x76"
              + b"\x4a\x0f\x0a\x0apgbackrest\x10\xf0\x41"
              + b"\x4a\x0d\x0a\x08postgres\x10\xb8\x2a")
        f10 = b"\x52\x02/p"      # pooler_dir, tag (10<<3)|2 = 0x52
        f11 = b"\x5a\x04/p/d"    # pg_data_dir, tag (11<<3)|2 = 0x5a
        # lifecycle_status (field 12, tag 0x62): status 08 02 | reason 12 02 "ok" |
        # updated 1a 06 { seconds 08 + varint(1700000000) } ; 1700000000 = 0x6553f100,
        # 7-bit groups from the low end: 0x00, 0x62, 0x4f, 0x2a, 0x06 -> 80 e2 cf aa 06;
        # total 2 + 4 + 8 = 14 bytes
        f12 = b"\x62\x0e" + b"\x08\x02\x12\x02ok\x1a\x06\x08\x80\xe2\xcf\xaa\x06"
        # routing_state (field 13, tag 0x6a): role 08 01 | rule 12 02 { term 08 02 }
        f13 = b"\x6a\x06\x08\x01\x12\x02\x08\x02"
        want = f1 + f2 + f6 + f8 + f9 + f10 + f11 + f12 + f13
        got = pb.encode("Multipooler", rec)
        self.assertEqual(got.hex(), want.hex())
        back = pb.decode("Multipooler", got)
        rec2 = dict(rec)
        del rec2["serving_status"]  # zero values are not on the wire
        self.assertEqual(back, rec2)

    def test_empty_set_message_is_emitted(self):
        # a set but empty sub-message still carries its tag and a zero length
        self.assertEqual(pb.encode("RoutingState", {"rule": {}}), b"\x12\x00")

    def test_unknown_fields_skipped(self):
        base = pb.encode("ID", {"component": 1, "cell": "c", "name": "n"})
        extra = (b"\xf8\x06\x05"                  # field 111 varint 5
                 + b"\xfa\x06\x03abc"             # field 111 length-delimited
                 + b"\x21" + b"\x00" * 8          # field 4 fixed64
                 + b"\x2d" + b"\x00" * 4)         # field 5 fixed32
        self.assertEqual(pb.decode("ID", extra + base),
                         {"component": 1, "cell": "c", "name": "n"})
        self.assertRaises(ValueError, pb.decode, "ID", b"\x12\x05ab")  # truncated

    def test_database_record(self):
        rec = {"name": "postgres", "backup_location": {"filesystem": {"path": "/backups"}},
               "cells": ["z1"], "bootstrap_durability_policy": {
                   "policy_name": "AT_LEAST_2", "quorum_type": 3, "required_count": 2}}
        # backup_location (0x12) { filesystem (0x0a) { path (0x0a) "/backups" } }
        # durability (0x22) { policy_name 0a 0a "AT_LEAST_2" | quorum_type 18 03 |
        #                     required_count 20 02 }
        want = (b"\x0a\x08postgres" + b"\x12\x0c\x0a\x0a\x0a\x08/backups" + b"\x1a\x02z1"
                + b"\x22\x10\x0a\x0aAT_LEAST_2\x18\x03\x20\x02")
        self.assertEqual(pb.encode("Database", rec), want)
        self.assertEqual(pb.decode("Database", want), rec)

    def test_packed_repeated_decode(self):
        schema = [(1, "xs", "int32", "repeated")]
        self.assertEqual(pb._decode_fields(schema, b"\x0a\x03\x01\x96\x01"), {"xs": [1, 150]})
        self.assertEqual(pb._decode_fields(schema, b"\x08\x01\x08\x02"), {"xs": [1, 2]})

    def test_json_rest_and_connect(self):
        rec = {"id": {"component": 1, "cell": "z1", "name": "p"}, "type": 2,
               "serving_status": 0, "port_map": {"http": 15200},
               "lifecycle_status": {"status": 2, "updated": {"seconds": 0, "nanos": 5000000}},
               "routing_state": {"role": 1, "rule": {"coordinator_term": 7}}}
        rest = pb.to_json("Multipooler", rec, emit_unpopulated=True)
        self.assertEqual(list(rest), ["id", "shardKey", "keyRange", "type", "servingStatus",
                                      "hostname", "portMap", "poolerDir", "pgDataDir",
                                      "lifecycleStatus", "routingState"])
        self.assertIsNone(rest["shardKey"])
        self.assertEqual(rest["servingStatus"], "SERVING")
        self.assertEqual(rest["type"], "REPLICA")
        self.assertEqual(rest["hostname"], "")
        self.assertEqual(rest["portMap"], {"http": 15200})
        self.assertEqual(rest["lifecycleStatus"],
                         {"status": "LIFECYCLE_ACTIVE", "reason": "",
                          "updated": "1970-01-01T00:00:00.005Z"})
        self.assertEqual(rest["routingState"]["rule"],
                         {"coordinatorTerm": "7", "leaderSubterm": "0"})
        conn = pb.to_json("Multipooler", rec, emit_unpopulated=False)
        self.assertNotIn("servingStatus", conn)
        self.assertNotIn("keyRange", conn)
        self.assertEqual(conn["routingState"]["rule"], {"coordinatorTerm": "7"})
        # oneof members are only present when set
        bl = pb.to_json("BackupLocation", {"filesystem": {"path": "/b"}})
        self.assertEqual(bl, {"filesystem": {"path": "/b"},
                              "requireInitialRepoEncryption": False,
                              "authoritativeGeneration": "0"})

    def test_timestamp_and_duration_format(self):
        self.assertEqual(pb.fmt_timestamp({"seconds": 1700000000}), "2023-11-14T22:13:20Z")
        self.assertEqual(pb.fmt_timestamp({"seconds": 1, "nanos": 120000000}),
                         "1970-01-01T00:00:01.120Z")
        self.assertEqual(pb.fmt_timestamp({"seconds": 1, "nanos": 1000}),
                         "1970-01-01T00:00:01.000001Z")
        self.assertEqual(pb.fmt_timestamp({"seconds": 1, "nanos": 1}),
                         "1970-01-01T00:00:01.000000001Z")
        self.assertEqual(pb.fmt_duration({"seconds": 1, "nanos": 500000000}), "1.500s")
        self.assertEqual(pb.fmt_duration({}), "0s")


# ------------------------------------------------------------ pod parsing

class TestPodParsing(unittest.TestCase):
    def test_service_id_hash_vectors(self):
        # vectors from multigres-operator-facts.md and spec-hash.md
        self.assertEqual(ms.fnv_hash(["minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0"]),
                         "45f814aa")
        self.assertEqual(ms.fnv_hash(["test-cluster-postgres-default-0-inf-pool-main-z1-67edfaca-0"]),
                         "2ef84aa5")
        self.assertEqual(ms.fnv_hash(["hello", "world"]), "344ce285")

    def test_identity_from_labels_and_args(self):
        pod = make_pod("minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0", cell="zone-a")
        ident = ms.pod_identity(pod)
        self.assertEqual(ident["name"], "p-45f814aa")
        self.assertEqual(ident["hostname"], pod["metadata"]["name"])
        self.assertEqual(ident["port_map"], {"grpc": 15270, "http": 15200, "postgres": 5432,
                                             "pgbackrest": 8432})
        pod = make_pod("x-0", args=["multipooler", "--service-id=p-explicit", "--grpc-port=16100",
                                    "--pooler-dir=/data"], subdomain="hl")
        ident = ms.pod_identity(pod, "fqdn")
        self.assertEqual(ident["name"], "p-explicit")
        self.assertEqual(ident["port_map"]["grpc"], 16100)
        self.assertEqual(ident["pg_data_dir"], "/data/pg_data")
        self.assertEqual(ident["hostname"], "x-0.hl.ns1.svc.cluster.local")
        del pod["metadata"]["labels"]["multigres.com/shard"]
        self.assertIsNone(ms.pod_identity(pod))

    def test_pod_state(self):
        self.assertEqual(ms.pod_state(make_pod("a")), "running")
        self.assertEqual(ms.pod_state(make_pod("a", phase="Pending")), "absent")
        self.assertEqual(ms.pod_state(make_pod("a", deleting=True)), "terminating")

    def test_fault_flags(self):
        self.assertEqual(cli.parse_fault("topo-down"), ("topoDown", True))
        self.assertEqual(cli.parse_fault("slow-switchover=2.5"), ("slowSwitchover", 2.5))
        self.assertEqual(cli.parse_fault("switch-fail"), ("switchFail", "simulated failure"))
        self.assertEqual(cli.parse_fault("quarantine=a,b"), ("quarantine", ["a", "b"]))
        self.assertRaises(Exception, cli.parse_fault, "no-such-fault")


class TestKubeconfig(unittest.TestCase):
    YAML = """apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: https://127.0.0.1:6443
  name: test
contexts:
- context:
    cluster: test
    namespace: ns-x
    user: admin
  name: test
current-context: test
users:
- name: admin
  user:
    token: "secret-token"
"""

    def test_yaml_kubeconfig(self):
        ca = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nX\n").decode()
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(self.YAML.format(ca=ca))
        try:
            cfg = kube.Config(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual((cfg.host, cfg.port, cfg.scheme), ("127.0.0.1", 6443, "https"))
        self.assertEqual(cfg.namespace, "ns-x")
        self.assertEqual(cfg.token, "secret-token")
        self.assertTrue(cfg.ca.startswith(b"-----BEGIN"))

    def test_json_kubeconfig_and_loopback_only(self):
        doc = {"clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443",
                                                       "insecure-skip-tls-verify": True}}],
               "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
               "users": [{"name": "u", "user": {"token": "t"}}], "current-context": "x"}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            self.assertRaises(ValueError, kube.Config, f.name)
        finally:
            os.unlink(f.name)

    @unittest.skipUnless(shutil.which("openssl"), "no openssl to make a client certificate")
    def test_client_certificate_loads(self):
        d = tempfile.mkdtemp(prefix="mgsim-cert-")
        try:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", d + "/k.pem", "-out", d + "/c.pem", "-days", "1",
                            "-subj", "/CN=test"], check=True, capture_output=True)
            b64 = {n: base64.b64encode(open(d + "/" + n, "rb").read()).decode()
                   for n in ("k.pem", "c.pem")}
            kc = d + "/kubeconfig"
            with open(kc, "w") as f:
                f.write("clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                        "    certificate-authority-data: %s\n"
                        "users:\n- name: u\n  user:\n    client-certificate-data: %s\n"
                        "    client-key-data: %s\n"
                        "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
                        "current-context: x\n" % (b64["c.pem"], b64["c.pem"], b64["k.pem"]))
            before = set(os.listdir(tempfile.gettempdir()))
            cfg = kube.Config(kc)
            ctx = cfg.ssl_context()
            self.assertTrue(ctx.check_hostname)
            # the key material went through a private temp dir that is gone again
            self.assertEqual({n for n in os.listdir(tempfile.gettempdir())
                              if n.startswith("mgsim-") and n not in before}, set())
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_yaml_subset(self):
        doc = kube.parse_yaml("a: 1\nb:\n  - x\n  - 'y z'\nc:\n  d: \"q:r\"\n  e: https://h:1/p\n"
                              "f: []\ng: true # comment\n")
        self.assertEqual(doc, {"a": 1, "b": ["x", "y z"], "c": {"d": "q:r", "e": "https://h:1/p"},
                               "f": [], "g": True})


class FakeClient:
    """Stands in for kube.Client: a scripted list, then watch outcomes."""

    def __init__(self, lists, watches):
        self.lists = list(lists)
        self.watches = list(watches)

    def list_pods(self, ns, sel):
        items = self.lists.pop(0) if len(self.lists) > 1 else self.lists[0]
        return {"metadata": {"resourceVersion": "10"}, "items": items}

    def watch_pods(self, ns, sel, rv, stop, timeout_s=300):
        if not self.watches:
            stop.wait(0.2)
            return
        w = self.watches.pop(0)
        if w == "gone":
            raise kube.Gone()
        for ev in w:
            yield ev


class TestPodFollower(unittest.TestCase):
    def test_relist_on_410(self):
        a, b, c = make_pod("a"), make_pod("b"), make_pod("c")
        b["metadata"]["resourceVersion"] = "11"
        events, synced = [], []
        fc = FakeClient(lists=[[a, b], [a, c]],
                        watches=[[{"type": "BOOKMARK", "object": {"metadata": {
                            "resourceVersion": "12"}}},
                            {"type": "MODIFIED", "object": b}], "gone"])
        f = kube.PodFollower(fc, "ns1", "", lambda k, p: events.append((k, p["metadata"]["name"])),
                             lambda: synced.append(1), lambda m: None)
        f.start()
        try:
            wait_until(lambda: len(synced) >= 2, 5, what="second list")
        finally:
            f.stop.set()
            f.join(5)
        # first list: a, b added; watch: b modified (bookmark ignored);
        # 410 -> relist: b vanished (DELETED), a modified, c added
        self.assertEqual(events[:3], [("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "b")])
        self.assertEqual(sorted(events[3:]), [("ADDED", "c"), ("DELETED", "b"), ("MODIFIED", "a")])


# ------------------------------------------------------- etcd-backed tests

ETCD_BIN = find_bin("etcd")


@unittest.skipUnless(ETCD_BIN, "no etcd binary (set KUBEBUILDER_ASSETS or build the test "
                               "binaries with tests/cluster/build)")
class EtcdCase(unittest.TestCase):
    etcd = None
    counter = 0

    @classmethod
    def setUpClass(cls):
        cls.etcd = EtcdProc(ETCD_BIN)
        cls.etcd.start()

    @classmethod
    def tearDownClass(cls):
        cls.etcd.cleanup()

    def setUp(self):
        EtcdCase.counter += 1
        self.root = "/t%d/global" % EtcdCase.counter
        self.client = etcdmod.Etcd(self.etcd.url)
        self.servers = []

    def tearDown(self):
        for srv, sim in self.servers:
            srv.shutdown()
            srv.server_close()
            sim.stop()

    def new_sim(self, etcd_url=None, **kw):
        kw.setdefault("faults", {})
        kw["faults"].setdefault("switchDelay", 0.3)
        kw["faults"].setdefault("backupDuration", 0.2)
        sim = ms.Sim(etcd_url or self.etcd.url, self.root, **kw)
        sim.start()
        srv = adm.AdminServer(sim, 0)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.servers.append((srv, sim))
        self.url = srv.url
        self.sim = sim
        return sim

    def add(self, *pods, kind="ADDED"):
        for p in pods:
            self.sim.pod_event(kind, p)
        self.assertTrue(self.sim.flush(10))

    def records(self, root=None):
        """key -> decoded pooler record, straight from etcd."""
        out = {}
        for kv in self.client.list_prefix((root or self.root) + "/poolers/"):
            out[kv["key"]] = pb.decode("Multipooler", kv["value"])
        return out

    def primaries(self, root=None):
        return sorted(r["id"]["name"] for r in self.records(root).values()
                      if (r.get("routing_state") or {}).get("role") == ms.ROLE_PRIMARY)

    def get(self, path):
        return http_req("GET", self.url + path)

    def post(self, path, body=None, **kw):
        return http_req("POST", self.url + path, body if body is not None else {}, **kw)

    def three_pods(self):
        self.add(make_pod("pool-0"), make_pod("pool-1"), make_pod("pool-2", cell="zone2"))
        return {p.pod: p.name for p in self.sim.poolers.values()}


class TestTopology(EtcdCase):
    def test_keys_values_and_one_primary(self):
        self.new_sim()
        names = self.three_pods()
        cell = pb.decode("Cell", self.client.get(self.root + "/cells/zone1/Cell")["value"])
        self.assertEqual(cell, {"name": "zone1", "server_addresses": [self.client.address],
                                "root": self.root})
        db = pb.decode("Database", self.client.get(self.root + "/databases/postgres/Database")
                       ["value"])
        self.assertEqual(db["cells"], ["zone1", "zone2"])
        self.assertEqual(db["bootstrap_durability_policy"]["quorum_type"], 3)
        recs = self.records()
        want_keys = {"%s/poolers/multipooler-%s-%s/Pooler" % (self.root, c, names[p])
                     for p, c in (("pool-0", "zone1"), ("pool-1", "zone1"), ("pool-2", "zone2"))}
        self.assertEqual(set(recs), want_keys)
        self.assertEqual(names["pool-0"], "p-" + ms.fnv_hash(["pool-0"]))
        self.assertEqual(self.primaries(), [names["pool-0"]])  # first pod wins
        for r in recs.values():
            self.assertEqual(r["id"]["component"], 1)
            self.assertEqual(r["lifecycle_status"]["status"], ms.LC_ACTIVE)
            self.assertEqual(r["shard_key"], {"database": "postgres", "table_group": "default",
                                              "shard": "0-inf"})
            self.assertIn(r["hostname"], ("pool-0", "pool-1", "pool-2"))
            self.assertNotIn("serving_status", r)  # SERVING is the zero value
            prim = r["routing_state"]["role"] == ms.ROLE_PRIMARY
            self.assertEqual(r["type"], 1 if prim else 2)
            self.assertEqual("rule" in r["routing_state"], prim)

    def test_cell_root_template_and_existing_cell(self):
        self.client.put(self.root + "/cells/zone9/Cell",
                        pb.encode("Cell", {"name": "zone9", "root": "/elsewhere/z9"}))
        self.new_sim(cell_root="/cells-%d/{cell}" % EtcdCase.counter)
        self.add(make_pod("a", cell="zone1"), make_pod("b", cell="zone9"))
        self.assertEqual(len(self.records("/cells-%d/zone1" % EtcdCase.counter)), 1)
        self.assertEqual(len(self.records("/elsewhere/z9")), 1)
        st, body = self.get("/api/v1/poolers")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["poolers"]), 2)

    def test_pending_pods_ignored_until_running(self):
        self.new_sim()
        self.add(make_pod("a", phase="Pending"))
        self.assertEqual(self.records(), {})
        self.add(make_pod("a"), kind="MODIFIED")
        self.assertEqual(len(self.records()), 1)

    def test_existing_primary_in_topology_is_kept(self):
        # a live PRIMARY record already in topology (not backed by a pod the
        # sim knows): new pods join as replicas
        self.client.put(self.root + "/cells/zone1/Cell",
                        pb.encode("Cell", {"name": "zone1", "root": self.root}))
        rec = {"id": {"component": 1, "cell": "zone1", "name": "old"},
               "shard_key": {"database": "postgres", "table_group": "default", "shard": "0-inf"},
               "lifecycle_status": {"status": 2},
               "routing_state": {"role": 1, "rule": {"coordinator_term": 4}}}
        self.client.put(self.root + "/poolers/multipooler-zone1-old/Pooler",
                        pb.encode("Multipooler", rec))
        self.new_sim()
        self.add(make_pod("pool-0"), make_pod("pool-1"))
        self.assertEqual(self.primaries(), ["old"])

    def test_restart_keeps_roles(self):
        self.new_sim()
        names = self.three_pods()
        self.sim.stop()
        self.new_sim()
        # pods come back in another order; the recorded primary stays primary
        self.add(make_pod("pool-2", cell="zone2"), make_pod("pool-1"), make_pod("pool-0"))
        self.assertEqual(self.primaries(), [names["pool-0"]])

    def test_delete_replica_removes_record(self):
        self.new_sim()
        names = self.three_pods()
        self.add(make_pod("pool-1"), kind="DELETED")
        left = sorted(r["id"]["name"] for r in self.records().values())
        self.assertEqual(left, sorted([names["pool-0"], names["pool-2"]]))

    def test_primary_deleted_fails_over(self):
        self.new_sim(faults={"switchDelay": 1.0})
        names = self.three_pods()
        t0 = time.monotonic()
        self.add(make_pod("pool-0"), kind="DELETED")
        self.assertEqual(self.primaries(), [])  # gone, nobody promoted yet
        wait_until(lambda: self.primaries() == [names["pool-1"]], 5, what="failover")
        self.assertGreaterEqual(time.monotonic() - t0, 0.95)
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-1"]][0]
        self.assertEqual(r["routing_state"]["rule"]["coordinator_term"], 2)

    def test_orphan_on_delete(self):
        self.new_sim(faults={"orphanOnDelete": True})
        names = self.three_pods()
        self.add(make_pod("pool-0"), kind="DELETED")
        recs = self.records()
        self.assertEqual(len(recs), 3)  # the dead primary's record stays
        wait_until(lambda: len(self.primaries()) == 2, 5, what="second primary")
        # both claim PRIMARY; the new one has the higher rule
        by_name = {r["id"]["name"]: r for r in self.records().values()}
        self.assertGreater(ms.rule_of(by_name[names["pool-1"]]), ms.rule_of(by_name[names["pool-0"]]))
        self.assertEqual(len(self.sim.state()["orphanKeys"]), 1)
        # a new pod is not held back by the orphan: there is a live primary already
        self.add(make_pod("pool-3"))
        self.assertEqual(len(self.primaries()), 2)

    def test_shutdown_mode_and_terminating(self):
        self.new_sim(on_pod_delete="shutdown")
        names = self.three_pods()
        self.add(make_pod("pool-1", deleting=True), kind="MODIFIED")
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-1"]][0]
        self.assertEqual(r["lifecycle_status"]["status"], ms.LC_STOPPING)
        self.assertEqual(r["serving_status"], ms.DISABLED)
        self.add(make_pod("pool-1"), kind="DELETED")
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-1"]][0]
        self.assertEqual(r["lifecycle_status"]["status"], ms.LC_SHUTDOWN)
        self.assertEqual(r["lifecycle_status"]["reason"], "pooler shutdown")
        self.assertNotIn("routing_state", r)
        self.assertNotIn("type", r)  # UNKNOWN = 0
        # the same pod name coming back registers again
        self.add(make_pod("pool-1"))
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-1"]][0]
        self.assertEqual(r["lifecycle_status"]["status"], ms.LC_ACTIVE)

    def test_quarantine_primary(self):
        self.new_sim()
        names = self.three_pods()
        st, f = self.post("/_sim/faults", {"quarantine": ["pool-0"]})
        self.assertEqual(st, 200)
        self.assertTrue(self.sim.flush())
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-0"]][0]
        self.assertEqual(r["lifecycle_status"]["status"], ms.LC_QUARANTINED)
        self.assertEqual(r["serving_status"], ms.DISABLED)
        self.assertEqual(r["routing_state"]["role"], ms.ROLE_REPLICA)
        wait_until(lambda: self.primaries() == [names["pool-1"]], 5, what="failover")
        st, body = self.get("/api/v1/poolers")
        q = [p for p in body["poolers"] if p["id"]["name"] == names["pool-0"]][0]
        self.assertEqual(q["lifecycleStatus"]["status"], "LIFECYCLE_QUARANTINED")
        self.assertEqual(q["servingStatus"], "DISABLED")
        self.post("/_sim/faults", {"quarantine": []})
        self.assertTrue(self.sim.flush())
        r = [r for r in self.records().values() if r["id"]["name"] == names["pool-0"]][0]
        self.assertEqual(r["lifecycle_status"]["status"], ms.LC_ACTIVE)

    def test_etcd_outage_writes_resume(self):
        e = EtcdProc(ETCD_BIN)
        e.start()
        try:
            self.new_sim(etcd_url=e.url)
            self.add(make_pod("a"))
            e.stop()
            st, body = self.get("/api/v1/poolers")
            self.assertEqual(st, 500)
            self.assertEqual(body["code"], 13)
            self.assertEqual(body["message"], "failed to retrieve cell names: topo error [3]: "
                                              "deadline exceeded: cells")
            self.sim.pod_event("ADDED", make_pod("b"))
            self.assertFalse(self.sim.flush(0.5))
            e.start()
            self.assertTrue(self.sim.flush(15))
            c = etcdmod.Etcd(e.url)
            self.assertEqual(len(c.list_prefix(self.root + "/poolers/")), 2)
        finally:
            e.cleanup()


class TestAdminAPI(EtcdCase):
    def test_get_poolers_shape_and_filters(self):
        self.new_sim()
        self.three_pods()
        self.add(make_pod("other-0", db="db2"))
        st, body = self.get("/api/v1/poolers")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["poolers"]), 4)
        p = body["poolers"][0]
        self.assertEqual(list(p), ["id", "shardKey", "keyRange", "type", "servingStatus",
                                   "hostname", "portMap", "poolerDir", "pgDataDir",
                                   "lifecycleStatus", "routingState"])
        self.assertEqual(p["portMap"], {"grpc": 15270, "http": 15200, "pgbackrest": 8432,
                                        "postgres": 5432})
        self.assertRegex(p["lifecycleStatus"]["updated"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        prim = [x for x in body["poolers"] if x["type"] == "PRIMARY"]
        self.assertEqual(len(prim), 2)  # one per shard (two databases)
        self.assertEqual(prim[0]["routingState"]["rule"]["coordinatorTerm"], "1")
        st, body = self.get("/api/v1/poolers?cells=zone2")
        self.assertEqual([x["hostname"] for x in body["poolers"]], ["pool-2"])
        st, body = self.get("/api/v1/poolers?cells=zone1&cells=zone2&database=postgres")
        self.assertEqual(len(body["poolers"]), 3)
        # shard without table group: every cell fails, partial list lost
        st, body = self.get("/api/v1/poolers?database=postgres&shard=0-inf")
        self.assertEqual((st, body["code"]), (500, 2))
        self.assertIn("cannot filter by Shard without specifying TableGroup", body["message"])
        # shard without database is ignored
        st, body = self.get("/api/v1/poolers?shard=whatever")
        self.assertEqual((st, len(body["poolers"])), (200, 4))
        st, body = self.get("/api/v1/poolers?cells=nope")
        self.assertEqual(st, 500)
        self.assertIn("node doesn't exist: cells/nope/Cell", body["message"])
        st, body = self.get("/api/v1/poolers?bogus=1")
        self.assertEqual((st, body["code"]), (400, 3))

    def test_cells_databases(self):
        self.new_sim()
        self.three_pods()
        self.assertEqual(self.get("/api/v1/cells"), (200, {"names": ["zone1", "zone2"]}))
        self.assertEqual(self.get("/api/v1/databases"), (200, {"names": ["postgres"]}))
        st, body = self.get("/api/v1/cells/zone1")
        self.assertEqual(body["cell"]["root"], self.root)
        self.assertEqual(self.get("/api/v1/cells/zz"),
                         (404, {"code": 5, "message": "cell 'zz' not found", "details": []}))
        st, body = self.get("/api/v1/databases/postgres")
        self.assertEqual(body["database"]["bootstrapDurabilityPolicy"]["policyName"], "AT_LEAST_2")
        self.assertEqual(self.get("/api/v1/gateways"), (200, {"gateways": []}))
        self.assertEqual(self.get("/nope")[0], 404)
        self.assertEqual(http_req("DELETE", self.url + "/api/v1/poolers")[0], 405)

    def test_connect_path(self):
        self.new_sim()
        self.three_pods()
        st, body = self.post("/multiadmin.MultiadminService/GetPoolers", {"cells": ["zone2"]})
        self.assertEqual(st, 200)
        p = body["poolers"][0]
        self.assertNotIn("servingStatus", p)  # zero values are left out on Connect
        self.assertNotIn("keyRange", p)
        st, body = self.post("/multiadmin.MultiadminService/GetCell", {"name": "zz"})
        self.assertEqual((st, body), (404, {"code": "not_found", "message": "cell 'zz' not found"}))

    def test_pooler_status(self):
        self.new_sim()
        names = self.three_pods()
        st, body = self.get("/api/v1/poolers/zone1/%s/status" % names["pool-0"])
        self.assertEqual(st, 200)
        self.assertEqual(body["status"]["poolerType"], "PRIMARY")
        self.assertEqual(body["status"]["postgresStatus"], "POSTGRES_STATUS_PRIMARY")
        self.assertEqual(len(body["status"]["primaryStatus"]["connectedFollowers"]), 2)
        st, body = self.get("/api/v1/poolers/zone2/%s/status" % names["pool-2"])
        self.assertEqual(body["status"]["replicationStatus"]["primaryConnInfo"]["host"], "pool-0")
        self.assertEqual(self.get("/api/v1/poolers/zone1/nope/status")[0], 404)

    def test_switch_primary_answers_first_then_moves(self):
        self.new_sim(faults={"switchDelay": 1.0})
        names = self.three_pods()
        old = names["pool-0"]
        t0 = time.monotonic()
        st, body = self.post("/api/v1/shards/postgres/default/0-inf/switch-primary",
                             {"reason": "test"})
        answered = time.monotonic() - t0
        self.assertEqual(st, 200)
        self.assertEqual(body, {"oldLeaderId": {"component": "MULTIPOOLER", "cell": "zone1",
                                                "name": old}})
        self.assertLess(answered, 0.9)
        # right after the answer: the old primary still holds the role, draining
        by_name = {r["id"]["name"]: r for r in self.records().values()}
        self.assertEqual(self.primaries(), [old])
        self.assertEqual(by_name[old]["serving_status"], ms.DRAINING)
        new = wait_until(lambda: [n for n in self.primaries() if n != old], 5,
                         what="new primary")
        moved = time.monotonic() - t0
        self.assertGreaterEqual(moved, 0.95)
        wait_until(lambda: self.primaries() == new, 5, what="old primary demoted")
        by_name = {r["id"]["name"]: r for r in self.records().values()}
        self.assertEqual(by_name[new[0]]["routing_state"]["rule"]["coordinator_term"], 2)
        self.assertNotIn("serving_status", by_name[old])  # SERVING again, as a replica
        self.assertEqual(by_name[old]["routing_state"], {"role": ms.ROLE_REPLICA})

    def test_switch_primary_errors(self):
        self.new_sim()
        self.add(make_pod("solo-0", db="solo"))
        st, body = self.post("/api/v1/shards/solo/default/0-inf/switch-primary", {})
        self.assertEqual((st, body["code"], body["message"]),
                         (400, 9, "no standby poolers available for promotion"))
        st, body = self.post("/api/v1/shards/none/default/0-inf/switch-primary", {})
        self.assertEqual((st, body["message"]), (404, "no poolers found for shard none/default/0-inf"))
        self.three_pods()
        self.post("/_sim/faults", {"switchFail": "pooler unreachable"})
        st, body = self.post("/api/v1/shards/postgres/default/0-inf/switch-primary", {})
        self.assertEqual((st, body["code"], body["message"]),
                         (500, 13, "ResignLeadership failed: pooler unreachable"))
        self.assertEqual(len(self.primaries()), 2)  # nothing moved (solo + postgres)
        # form-encoded bodies are refused like the transcoder does
        st, body = self.post("/api/v1/shards/postgres/default/0-inf/switch-primary", "reason=x",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 400)

    def test_slow_switchover_and_no_election(self):
        self.new_sim(faults={"slowSwitchover": 0.5, "noElection": True, "switchDelay": 0.2})
        names = self.three_pods()
        t0 = time.monotonic()
        st, _ = self.post("/api/v1/shards/postgres/default/0-inf/switch-primary", {})
        self.assertEqual(st, 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.45)
        wait_until(lambda: self.primaries() == [], 5, what="old primary resigned")
        self.assertEqual(self.sim.state()["poolers"][0]["role"], "ROUTING_ROLE_REPLICA")
        time.sleep(0.4)  # nothing is scheduled: make sure no election sneaks in
        self.assertEqual(self.primaries(), [])
        # the old primary's pod is restarted with elections back on: shard heals
        self.post("/_sim/faults", {"noElection": False})
        self.add(make_pod("pool-3"))
        self.assertEqual(self.primaries(), ["p-" + ms.fnv_hash(["pool-3"])])
        self.assertNotIn(names["pool-0"], self.primaries())

    def test_switch_on_orphaned_primary(self):
        self.new_sim()
        for name, role in (("dead-p", "PRIMARY"), ("dead-r", "REPLICA")):
            st, _ = self.post("/_sim/orphans", {"cell": "zone1", "name": name,
                                               "database": "ghost", "role": role})
            self.assertEqual(st, 200)
        st, body = self.post("/api/v1/shards/ghost/default/0-inf/switch-primary", {})
        self.assertEqual((st, body["code"]), (500, 13))
        self.assertIn("ResignLeadership failed", body["message"])
        # pods of that shard are not held back by the dead primary
        self.add(make_pod("g-0", db="ghost"))
        self.assertIn("p-" + ms.fnv_hash(["g-0"]), self.primaries())

    def test_topo_down(self):
        self.new_sim(faults={"topoDown": True})
        st, body = self.get("/api/v1/poolers")
        self.assertEqual((st, body["code"], body["message"]),
                         (500, 13, "failed to retrieve cell names: topo error [3]: "
                                   "deadline exceeded: cells"))
        st, body = self.get("/api/v1/poolers?cells=zone1")
        self.assertEqual((st, body["code"]), (500, 2))
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default")
        self.assertEqual((st, body["code"]), (404, 5))
        st, body = self.post("/api/v1/shards/postgres/default/0-inf/switch-primary", {})
        self.assertEqual((st, body["message"]), (500, "failed to list cells: topo error [3]: "
                                                      "deadline exceeded: cells"))
        # writers keep writing: readers of etcd still see the records
        self.three_pods()
        self.assertEqual(len(self.records()), 3)
        self.post("/_sim/faults", {"topoDown": False})
        self.assertEqual(len(self.get("/api/v1/poolers")[1]["poolers"]), 3)
        # DELETE restores the start-up faults, here topoDown
        http_req("DELETE", self.url + "/_sim/faults")
        self.assertEqual(self.get("/api/v1/poolers")[0], 500)

    def test_backups(self):
        self.new_sim(seed_backup_age=7200)
        self.three_pods()
        st, body = self.get("/api/v1/backups?database=postgres&tableGroup=default")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["backups"]), 1)
        b = body["backups"][0]
        self.assertEqual(list(b), ["backupId", "database", "tableGroup", "shard", "type", "status",
                                   "backupSizeBytes", "multipoolerServiceId", "routingRole",
                                   "startLsn", "stopLsn", "pgVersion", "startTimestamp",
                                   "stopTimestamp", "jobId"])
        self.assertEqual((b["status"], b["type"], b["shard"]),
                         ("BACKUP_STATUS_COMPLETE", "full", "0-inf"))
        self.assertIsInstance(b["backupSizeBytes"], str)
        self.assertRegex(b["backupId"], r"^\d{8}-\d{6}F$")
        stop = time.mktime(time.strptime(b["stopTimestamp"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertAlmostEqual(time.time() - stop, 7200, delta=30)
        self.assertEqual(b["backupId"][:15], time.strftime("%Y%m%d-%H%M%S", time.gmtime(stop - 60)))
        # validation
        st, body = self.get("/api/v1/backups?database=postgres")
        self.assertEqual((st, body["message"]), (400, "table_group cannot be empty"))
        # faults
        self.post("/_sim/faults", {"noBackups": True})
        self.assertEqual(self.get("/api/v1/backups?database=postgres&table_group=default"),
                         (200, {"backups": []}))
        self.post("/_sim/faults", {"noBackups": False, "backupsError": "pgbackrest info failed"})
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default")
        self.assertEqual((st, body["message"]),
                         (500, "failed to get backups from pooler: pgbackrest info failed"))
        self.post("/_sim/faults", {"backupsError": None})
        # an older and a newer backup via the control API: oldest first, limit keeps oldest
        self.post("/_sim/backups", {"database": "postgres", "ageSeconds": 60, "type": "diff"})
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default&limit=1")
        self.assertEqual([x["type"] for x in body["backups"]], ["full"])
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default")
        self.assertEqual([x["type"] for x in body["backups"]], ["full", "diff"])
        self.assertTrue(body["backups"][1]["backupId"].startswith(body["backups"][0]["backupId"]
                                                                  + "_"))

    def test_backups_need_a_serving_replica(self):
        self.new_sim()
        self.add(make_pod("solo-0"))
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default")
        self.assertEqual(st, 404)
        self.assertIn("serving follower pooler not found", body["message"])

    def test_backup_job(self):
        self.new_sim()
        self.three_pods()
        st, body = self.post("/api/v1/backups", {"database": "postgres", "tableGroup": "default",
                                                 "shard": "0-inf", "type": "full"})
        self.assertEqual(st, 200)
        job = body["jobId"]
        self.assertRegex(job, r"^\d{8}-\d{6}\.\d{6}_multipooler-zone\d-p-[0-9a-f]{8}$")
        done = wait_until(lambda: (lambda r: r[1] if r[1]["status"] == "JOB_STATUS_COMPLETED"
                                   else None)(self.get("/api/v1/jobs/" + job)), 5, what="job")
        self.assertEqual(done["jobType"], "JOB_TYPE_BACKUP")
        st, body = self.get("/api/v1/backups?database=postgres&table_group=default")
        self.assertEqual(body["backups"][-1]["backupId"], done["backupId"])
        self.assertEqual(body["backups"][-1]["jobId"], job)
        self.assertEqual(self.get("/api/v1/jobs/nope")[0], 404)
        st, body = self.post("/api/v1/backups", {"database": "nope", "tableGroup": "default"})
        self.assertEqual((st, body["code"]), (400, 9))

    def test_keep_alive_after_unread_bodies(self):
        self.new_sim()
        conn = http.client.HTTPConnection("127.0.0.1", int(self.url.rsplit(":", 1)[1]), timeout=5)
        try:
            for path in ("/nope", "/api/v1/cells/x", "/multiadmin.MultiadminService/Nope"):
                conn.request("POST", path, body=b'{"a": 1}',
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                self.assertIn(r.status, (404, 405))
            conn.request("GET", "/api/v1/cells")
            r = conn.getresponse()
            self.assertEqual((r.status, json.loads(r.read())), (200, {"names": []}))
        finally:
            conn.close()

    def test_control_api(self):
        self.new_sim()
        st, st_body = self.get("/_sim/state")
        self.assertEqual(st, 200)
        self.assertEqual(st_body["adminUrl"], self.url)
        st, body = self.post("/_sim/faults", {"noSuchFault": True})
        self.assertEqual(st, 400)
        st, body = self.post("/_sim/faults", {"slowSwitchover": "2"})
        self.assertEqual(body["slowSwitchover"], 2.0)
        st, body = http_req("DELETE", self.url + "/_sim/faults")
        self.assertEqual(body["slowSwitchover"], 0.0)
        self.assertEqual(body["switchDelay"], 0.3)  # back to the start-up value


class TestCommandLine(EtcdCase):
    def test_start_state_file_and_sigterm(self):
        d = tempfile.mkdtemp(prefix="mgsim-cli-")
        state = os.path.join(d, "sim.json")
        proc = subprocess.Popen(
            [sys.executable, SIM, "--etcd", self.etcd.url, "--root", self.root,
             "--admin-port", "0", "--state-file", state, "--switch-delay", "0.4",
             "--fault", "no-backups", "--fault", "quarantine=x,y"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: os.path.exists(state) or proc.poll() is not None, 15,
                       what="state file")
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            with open(state) as f:
                info = json.load(f)
            self.assertEqual(info["pid"], proc.pid)
            self.assertEqual(info["adminUrl"], "http://127.0.0.1:%d" % info["adminPort"])
            st, body = http_req("GET", info["adminUrl"] + "/_sim/state")
            self.assertEqual(body["faults"]["noBackups"], True)
            self.assertEqual(body["faults"]["quarantine"], ["x", "y"])
            self.assertEqual(body["faults"]["switchDelay"], 0.4)
            self.assertEqual(http_req("GET", info["adminUrl"] + "/ready")[0], 200)
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(10), 0)
            self.assertFalse(os.path.exists(state))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
            shutil.rmtree(d, ignore_errors=True)


# -------------------------------------------------- Kubernetes-backed tests

class ApiServer:
    """etcd + kube-apiserver on loopback with a static token (the recipe of
    test-infra.md section 6.1 step 5)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mgsim-kube-")
        self.etcd = EtcdProc(find_bin("etcd"))
        self.proc = None

    def start(self):
        d = self.dir
        self.etcd.start()
        subprocess.run(["openssl", "genrsa", "-out", d + "/sa.key", "2048"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["openssl", "rsa", "-in", d + "/sa.key", "-pubout", "-out", d + "/sa.pub"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        token = base64.b64encode(os.urandom(18)).decode().replace("/", "x").replace("+", "y")
        fd = os.open(d + "/tokens.csv", os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("%s,admin,admin-uid,system:masters\n" % token)
        port = free_port()
        logf = open(d + "/apiserver.log", "ab")
        self.proc = subprocess.Popen(
            [find_bin("kube-apiserver"), "--etcd-servers=" + self.etcd.url,
             "--bind-address=127.0.0.1", "--secure-port=%d" % port, "--cert-dir=" + d + "/certs",
             "--token-auth-file=" + d + "/tokens.csv", "--authorization-mode=RBAC",
             "--service-account-issuer=https://127.0.0.1:%d" % port,
             "--service-account-key-file=" + d + "/sa.pub",
             "--service-account-signing-key-file=" + d + "/sa.key",
             "--service-cluster-ip-range=10.0.0.0/24",
             "--disable-admission-plugins=ServiceAccount", "--allow-privileged=true"],
            stdout=logf, stderr=logf)
        logf.close()
        self.kubeconfig = d + "/kubeconfig.yaml"
        fd = os.open(self.kubeconfig, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                    "    insecure-skip-tls-verify: true\n    server: https://127.0.0.1:%d\n"
                    "  name: sim\ncontexts:\n- context:\n    cluster: sim\n    user: admin\n"
                    "  name: sim\ncurrent-context: sim\nusers:\n- name: admin\n  user:\n"
                    "    token: %s\n" % (port, token))

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("kube-apiserver exited; see %s/apiserver.log" % d)
            try:
                return kube.Client(kube.Config(self.kubeconfig)).request(
                    "GET", "/api/v1/namespaces/default", timeout=2)
            except Exception:
                return None
        wait_until(ready, 90, 0.5, what="kube-apiserver")
        # now that the serving certificate exists, verify it instead of skipping TLS checks
        with open(d + "/certs/apiserver.crt", "rb") as f:
            ca = base64.b64encode(f.read()).decode()
        with open(self.kubeconfig) as f:
            text = f.read()
        with open(self.kubeconfig, "w") as f:
            f.write(text.replace("    insecure-skip-tls-verify: true\n",
                                 "    certificate-authority-data: %s\n" % ca))
        if not ready():
            raise RuntimeError("API server not reachable with its CA")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.etcd.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)


def _kube_skip_reason():
    if os.environ.get("MG_TEST_KUBECONFIG"):
        return None
    if not (find_bin("kube-apiserver") and find_bin("etcd")):
        return "no API server: MG_TEST_KUBECONFIG unset and no kube-apiserver/etcd binaries"
    if not shutil.which("openssl"):
        return "no API server: MG_TEST_KUBECONFIG unset and no openssl to make keys"
    return None


KUBE_SKIP = _kube_skip_reason()


@unittest.skipIf(KUBE_SKIP, KUBE_SKIP or "")
@unittest.skipUnless(ETCD_BIN, "no etcd binary for the topology store")
class TestWithApiServer(unittest.TestCase):
    api = None

    @classmethod
    def setUpClass(cls):
        if os.environ.get("MG_TEST_KUBECONFIG"):
            cls.kubeconfig = os.environ["MG_TEST_KUBECONFIG"]
        else:
            cls.api = ApiServer()
            try:
                cls.api.start()
            except Exception:
                cls.api.stop()
                raise
            cls.kubeconfig = cls.api.kubeconfig
        cls.kc = kube.Client(kube.Config(cls.kubeconfig))
        cls.topo = EtcdProc(ETCD_BIN)
        cls.topo.start()

    @classmethod
    def tearDownClass(cls):
        cls.topo.cleanup()
        if cls.api:
            cls.api.stop()

    def setUp(self):
        self.ns = "mgsim-%d-%d" % (os.getpid(), int(time.time() * 1000) % 100000)
        self.kc.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                       "metadata": {"name": self.ns}})
        self.root = "/k%s/global" % self.ns
        self.etcd = etcdmod.Etcd(self.topo.url)

    def tearDown(self):
        try:
            self.kc.request("DELETE", "/api/v1/namespaces/" + self.ns)
        except Exception:
            pass

    def create_running_pod(self, name, cell="zone1"):
        pod = make_pod(name, cell=cell, ns=self.ns, args=["multipooler", "--grpc-port=15270"])
        pod["spec"]["containers"][0]["image"] = "ghcr.io/multigres/multigres:sha-66d2310"
        del pod["status"]
        base = "/api/v1/namespaces/%s/pods" % self.ns
        self.kc.request("POST", base, pod)
        # no kubelet here: do what kwok would and mark the pod Running. On
        # the full test cluster the scheduler and kwok write the pod too:
        # read it again and retry on a conflict.
        for attempt in range(20):
            try:
                self.kc.request("PUT", base + "/" + name + "/status", dict(
                    self.kc.request("GET", base + "/" + name), status={"phase": "Running"}))
                return
            except kube.ApiError as e:
                if e.status != 409 or attempt == 19:
                    raise

    def delete_pod(self, name):
        self.kc.request("DELETE", "/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0"
                        % (self.ns, name))

    def pooler_names(self):
        out = {}
        for kv in self.etcd.list_prefix(self.root + "/poolers/"):
            r = pb.decode("Multipooler", kv["value"])
            out[r["hostname"]] = (r.get("routing_state") or {}).get("role")
        return out

    def test_follow_pods(self):
        self.create_running_pod("pool-a-0")
        d = tempfile.mkdtemp(prefix="mgsim-kcli-")
        state = os.path.join(d, "sim.json")
        proc = subprocess.Popen(
            [sys.executable, SIM, "--kubeconfig", self.kubeconfig, "--namespace", self.ns,
             "--etcd", self.topo.url, "--root", self.root, "--state-file", state,
             "--switch-delay", "0.3"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: os.path.exists(state) or proc.poll() is not None, 40,
                       what="sim ready")
            self.assertIsNone(proc.poll())
            # the pod that existed before the sim started (LIST)
            self.assertEqual(self.pooler_names(), {"pool-a-0": ms.ROLE_PRIMARY})
            # pods appearing later (WATCH)
            self.create_running_pod("pool-a-1")
            self.create_running_pod("pool-b-0", cell="zone2")
            wait_until(lambda: len(self.pooler_names()) == 3, 15, what="watched pods")
            self.assertEqual(sorted(self.pooler_names().values()),
                             [ms.ROLE_PRIMARY, ms.ROLE_REPLICA, ms.ROLE_REPLICA])
            # deleting the primary: record removed, a replica promoted
            self.delete_pod("pool-a-0")
            wait_until(lambda: "pool-a-0" not in self.pooler_names()
                       and ms.ROLE_PRIMARY in self.pooler_names().values(), 15,
                       what="failover after delete")
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(15), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
            shutil.rmtree(d, ignore_errors=True)

    def test_once_and_prune(self):
        self.create_running_pod("once-0")
        self.create_running_pod("once-1")
        # a stale record no pod backs
        self.etcd.put(self.root + "/cells/zone1/Cell",
                      pb.encode("Cell", {"name": "zone1", "root": self.root}))
        self.etcd.put(self.root + "/poolers/multipooler-zone1-stale/Pooler",
                      pb.encode("Multipooler", {"id": {"component": 1, "cell": "zone1",
                                                       "name": "stale"}}))
        r = subprocess.run([sys.executable, SIM, "--kubeconfig", self.kubeconfig, "--namespace",
                            self.ns, "--etcd", self.topo.url, "--root", self.root, "--once",
                            "--prune"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(self.pooler_names(), {"once-0": ms.ROLE_PRIMARY,
                                               "once-1": ms.ROLE_REPLICA})


if __name__ == "__main__":
    unittest.main()
