"""A small client for etcd's v3 JSON gateway (POST /v3/kv/...), loopback only.

Keys and values travel base64-encoded; 64-bit numbers in answers arrive as
JSON strings.  Errors (connection refused, timeouts, non-200 answers) raise
EtcdError so callers can tell "etcd is unreachable" apart from "key absent".
"""

import base64
import http.client
import json
import urllib.parse

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class EtcdError(Exception):
    pass


def _b64(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return base64.b64encode(b).decode("ascii")


def prefix_end(prefix):
    """The range_end that selects every key starting with prefix."""
    if isinstance(prefix, str):
        prefix = prefix.encode("utf-8")
    b = bytearray(prefix)
    while b:
        if b[-1] < 0xFF:
            b[-1] += 1
            return bytes(b)
        b.pop()
    return b"\x00"  # whole keyspace


class Etcd:
    def __init__(self, url, timeout=3.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise ValueError("etcd URL must be http://127.0.0.1:PORT")
        if u.hostname not in LOOPBACK:
            raise ValueError("refusing non-loopback etcd host %r" % u.hostname)
        self.host = u.hostname
        self.port = u.port or 2379
        self.timeout = timeout

    @property
    def address(self):
        """host:port, the form Cell.server_addresses uses."""
        return "%s:%d" % (self.host, self.port)

    def _call(self, path, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=json.dumps(body),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            raise EtcdError("etcd %s: %s" % (path, e)) from e
        finally:
            conn.close()
        if resp.status != 200:
            raise EtcdError("etcd %s: HTTP %d: %s" % (path, resp.status, data[:200]))
        try:
            return json.loads(data or b"{}")
        except ValueError as e:
            raise EtcdError("etcd %s: bad JSON" % path) from e

    @staticmethod
    def _kv(kv):
        return {
            "key": base64.b64decode(kv.get("key", "")).decode("utf-8"),
            "value": base64.b64decode(kv.get("value", "")),
            "mod_revision": int(kv.get("mod_revision", 0)),
            "create_revision": int(kv.get("create_revision", 0)),
            "version": int(kv.get("version", 0)),
        }

    def get(self, key):
        """Return the kv dict for key, or None when absent."""
        r = self._call("/v3/kv/range", {"key": _b64(key)})
        kvs = r.get("kvs") or []
        return self._kv(kvs[0]) if kvs else None

    def list_prefix(self, prefix):
        """All kvs whose key starts with prefix, in key order."""
        r = self._call("/v3/kv/range", {"key": _b64(prefix), "range_end": _b64(prefix_end(prefix))})
        return [self._kv(kv) for kv in (r.get("kvs") or [])]

    def put(self, key, value):
        r = self._call("/v3/kv/put", {"key": _b64(key), "value": _b64(value)})
        return int((r.get("header") or {}).get("revision", 0))

    def create(self, key, value):
        """Put only if the key does not exist; True when written."""
        r = self._call("/v3/kv/txn", {
            "compare": [{"key": _b64(key), "result": "EQUAL", "target": "CREATE",
                         "create_revision": "0"}],
            "success": [{"request_put": {"key": _b64(key), "value": _b64(value)}}],
        })
        return bool(r.get("succeeded"))

    def delete(self, key):
        r = self._call("/v3/kv/deleterange", {"key": _b64(key)})
        return int(r.get("deleted", 0))

    def delete_prefix(self, prefix):
        r = self._call("/v3/kv/deleterange",
                       {"key": _b64(prefix), "range_end": _b64(prefix_end(prefix))})
        return int(r.get("deleted", 0))

    def healthy(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("GET", "/health")
            resp = conn.getresponse()
            body = resp.read()
            return resp.status == 200 and b'"true"' in body
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()
