"""Just enough of a Kubernetes client to follow pods: a kubeconfig reader
(JSON, or the simple block YAML kubectl and our test scripts write), HTTPS
with the kubeconfig's CA / bearer token / client certificate, LIST and
WATCH with bookmarks and re-list on 410 Gone.  Loopback servers only.
"""

import base64
import http.client
import json
import os
import socket
import ssl
import tempfile
import threading
import urllib.parse

LOOPBACK = ("127.0.0.1", "localhost", "::1")


# ---------------------------------------------------------------- tiny YAML

def _scalar(s):
    s = s.strip()
    if not s:
        return None
    if s[0] in "\"'":
        q = s[0]
        end = s.rfind(q)
        body = s[1:end] if end > 0 else s[1:]
        if q == "'":
            return body.replace("''", "'")
        return json.loads('"' + body + '"')
    # strip a trailing comment
    if " #" in s:
        s = s[:s.index(" #")].rstrip()
    if s in ("null", "~"):
        return None
    if s in ("true", "false"):
        return s == "true"
    if s == "[]":
        return []
    if s == "{}":
        return {}
    try:
        return int(s)
    except ValueError:
        return s


def _split_key(s):
    """'key: value' -> (key, value-string); the colon must be followed by a
    space or end the line (so URLs in values survive)."""
    i = 0
    while True:
        i = s.find(":", i)
        if i < 0:
            return None
        if i + 1 == len(s) or s[i + 1] == " ":
            key = s[:i].strip()
            if key[:1] in "\"'":
                key = _scalar(key)
            return key, s[i + 1:]
        i += 1


def parse_yaml(text):
    """Parse block-style YAML made of mappings, sequences and scalars (no
    anchors, flow collections or multi-line scalars)."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        lines.append((len(raw) - len(raw.lstrip(" ")), raw.strip()))
    pos = [0]

    def block(indent):
        if pos[0] >= len(lines):
            return None
        ind, txt = lines[pos[0]]
        if txt.startswith("- ") or txt == "-":
            return seq(ind)
        return mapping(ind)

    def seq(indent):
        out = []
        while pos[0] < len(lines):
            ind, txt = lines[pos[0]]
            if ind != indent or not (txt.startswith("- ") or txt == "-"):
                break
            rest = txt[1:].strip()
            if not rest:
                pos[0] += 1
                out.append(block(indent + 1))
                continue
            if _split_key(rest):
                # "- key: value" starts a mapping whose keys sit at indent+2
                lines[pos[0]] = (indent + 2, rest)
                out.append(mapping(indent + 2))
            else:
                pos[0] += 1
                out.append(_scalar(rest))
        return out

    def mapping(indent):
        out = {}
        while pos[0] < len(lines):
            ind, txt = lines[pos[0]]
            if ind != indent or txt.startswith("- "):
                # a sequence may sit at the same indent as its parent key
                break
            kv = _split_key(txt)
            if kv is None:
                raise ValueError("cannot parse YAML line: %r" % txt)
            key, val = kv
            pos[0] += 1
            if val.strip():
                out[key] = _scalar(val)
            elif pos[0] < len(lines) and (lines[pos[0]][0] > indent or (
                    lines[pos[0]][0] == indent and lines[pos[0]][1].startswith("- "))):
                out[key] = block(lines[pos[0]][0])
            else:
                out[key] = None
        return out

    return block(lines[0][0]) if lines else None


# -------------------------------------------------------------- kubeconfig

def _named(items, name):
    for it in items or []:
        if it.get("name") == name:
            return it
    raise ValueError("kubeconfig has no entry named %r" % name)


class Config:
    """The parts of a kubeconfig a client needs, for its current context."""

    def __init__(self, path, context=None):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text) if text.lstrip().startswith("{") else parse_yaml(text)
        base = os.path.dirname(os.path.abspath(path))
        ctx_name = context or doc.get("current-context")
        ctx = _named(doc.get("contexts"), ctx_name)["context"]
        cluster = _named(doc.get("clusters"), ctx["cluster"])["cluster"]
        user = _named(doc.get("users"), ctx["user"])["user"] or {}
        self.namespace = ctx.get("namespace") or "default"
        self.server = cluster["server"].rstrip("/")
        self.insecure = bool(cluster.get("insecure-skip-tls-verify"))

        def data(src, field):
            """PEM bytes from <field>-data (base64) or from the file <field>."""
            if src.get(field + "-data"):
                return base64.b64decode(src[field + "-data"])
            if src.get(field):
                with open(os.path.join(base, src[field]), "rb") as f:
                    return f.read()
            return None

        self.ca = data(cluster, "certificate-authority")
        self.client_cert = data(user, "client-certificate")
        self.client_key = data(user, "client-key")
        self.token = user.get("token")
        if not self.token and user.get("tokenFile"):
            with open(os.path.join(base, user["tokenFile"]), encoding="utf-8") as f:
                self.token = f.read().strip()
        u = urllib.parse.urlsplit(self.server)
        if u.hostname not in LOOPBACK:
            raise ValueError("refusing non-loopback API server %r" % u.hostname)
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.prefix = u.path.rstrip("/")

    def ssl_context(self):
        ctx = ssl.create_default_context()
        if self.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif self.ca:
            ctx = ssl.create_default_context(cadata=self.ca.decode("ascii", "replace"))
        if self.client_cert and self.client_key:
            # ssl only loads certificates from files: use a private temp dir
            d = tempfile.mkdtemp(prefix="mgsim-")
            try:
                cp, kp = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
                for p, b in ((cp, self.client_cert), (kp, self.client_key)):
                    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as f:
                        f.write(b)
                ctx.load_cert_chain(cp, kp)
            finally:
                for n in ("c.pem", "k.pem"):
                    try:
                        os.unlink(os.path.join(d, n))
                    except OSError:
                        pass
                os.rmdir(d)
        return ctx


# ------------------------------------------------------------------ client

class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %d: %s" % (status, body[:300]))
        self.status = status


class Gone(Exception):
    """The resourceVersion is too old (HTTP 410 or a watch ERROR 410)."""


class Client:
    def __init__(self, config, timeout=10.0):
        self.cfg = config
        self.timeout = timeout
        self._ssl = config.ssl_context() if config.scheme == "https" else None

    def _conn(self, timeout):
        if self._ssl is not None:
            return http.client.HTTPSConnection(self.cfg.host, self.cfg.port, timeout=timeout,
                                               context=self._ssl)
        return http.client.HTTPConnection(self.cfg.host, self.cfg.port, timeout=timeout)

    def _headers(self):
        h = {"Accept": "application/json", "User-Agent": "multigres-sim/1"}
        if self.cfg.token:
            h["Authorization"] = "Bearer " + self.cfg.token
        return h

    def request(self, method, path, body=None, timeout=None):
        conn = self._conn(timeout or self.timeout)
        try:
            hdr = self._headers()
            data = None
            if body is not None:
                data = json.dumps(body)
                hdr["Content-Type"] = "application/json"
            conn.request(method, self.cfg.prefix + path, body=data, headers=hdr)
            resp = conn.getresponse()
            out = resp.read()
        finally:
            conn.close()
        if resp.status == 410:
            raise Gone()
        if resp.status >= 300:
            raise ApiError(resp.status, out.decode("utf-8", "replace"))
        return json.loads(out) if out else None

    def pods_path(self, namespace):
        return ("/api/v1/namespaces/%s/pods" % urllib.parse.quote(namespace)
                if namespace else "/api/v1/pods")

    def list_pods(self, namespace, selector):
        q = urllib.parse.urlencode({"labelSelector": selector}) if selector else ""
        return self.request("GET", self.pods_path(namespace) + ("?" + q if q else ""))

    def watch_pods(self, namespace, selector, rv, stop, timeout_s=300):
        """Yield watch events (dicts with type and object) until the server
        ends the stream (after timeout_s) or stop is set.  Raises Gone on
        410.  Reads block; self.close_watch() (from another thread) ends a
        read at once."""
        params = {"watch": "1", "allowWatchBookmarks": "true", "resourceVersion": rv,
                  "timeoutSeconds": str(timeout_s)}
        if selector:
            params["labelSelector"] = selector
        path = self.cfg.prefix + self.pods_path(namespace) + "?" + urllib.parse.urlencode(params)
        conn = self._conn(timeout_s + 30)
        self._watch_conn = conn
        try:
            conn.request("GET", path, headers=self._headers())
            resp = conn.getresponse()
            if resp.status == 410:
                raise Gone()
            if resp.status >= 300:
                raise ApiError(resp.status, resp.read().decode("utf-8", "replace"))
            while not stop.is_set():
                line = resp.readline()
                if not line:
                    return
                if not line.strip():
                    continue
                ev = json.loads(line)
                if ev.get("type") == "ERROR":
                    st = ev.get("object") or {}
                    if st.get("code") == 410:
                        raise Gone()
                    raise ApiError(int(st.get("code") or 500), json.dumps(st))
                yield ev
        finally:
            self._watch_conn = None
            conn.close()

    def close_watch(self):
        conn = getattr(self, "_watch_conn", None)
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class PodFollower(threading.Thread):
    """LIST then WATCH pods matching a label selector, calling
    on_event(kind, pod) with kind ADDED/MODIFIED/DELETED; on_synced() after
    each full list.  Re-lists on 410 Gone; retries on errors."""

    def __init__(self, client, namespace, selector, on_event, on_synced, log):
        super().__init__(name="pod-follower", daemon=True)
        self.client = client
        self.namespace = namespace
        self.selector = selector
        self.on_event = on_event
        self.on_synced = on_synced
        self.log = log
        self.stop = threading.Event()
        self.known = {}  # (ns, name) -> pod

    def shutdown(self):
        self.stop.set()
        close = getattr(self.client, "close_watch", None)
        if close:
            close()

    def relist(self):
        lst = self.client.list_pods(self.namespace, self.selector)
        seen = {}
        for pod in lst.get("items") or []:
            md = pod["metadata"]
            seen[(md.get("namespace"), md["name"])] = pod
        for key, pod in list(self.known.items()):
            if key not in seen:
                self.on_event("DELETED", pod)
        for key, pod in seen.items():
            self.on_event("ADDED" if key not in self.known else "MODIFIED", pod)
        self.known = seen
        self.on_synced()
        return lst["metadata"]["resourceVersion"]

    def run(self):
        rv = None
        while not self.stop.is_set():
            try:
                if rv is None:
                    rv = self.relist()
                for ev in self.client.watch_pods(self.namespace, self.selector, rv, self.stop):
                    obj = ev.get("object") or {}
                    md = obj.get("metadata") or {}
                    if md.get("resourceVersion"):
                        rv = md["resourceVersion"]
                    if ev["type"] == "BOOKMARK":
                        continue
                    key = (md.get("namespace"), md.get("name"))
                    if ev["type"] == "DELETED":
                        self.known.pop(key, None)
                    else:
                        self.known[key] = obj
                    self.on_event(ev["type"], obj)
            except Gone:
                self.log("watch: resourceVersion %s expired (410), re-listing" % rv)
                rv = None
            except Exception as e:  # network trouble: back off, resume from rv
                if self.stop.is_set():
                    break
                self.log("watch: %s; retrying" % e)
                self.stop.wait(1.0)
