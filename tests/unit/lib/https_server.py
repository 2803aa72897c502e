#!/usr/bin/env python3
"""A scripted loopback HTTPS server for the client's HTTP tests.

The tests tell it, per path, what to answer to the next requests (status,
headers, body, a chunked stream that may be cut in the middle of a line, a
required Authorization header) through a plain-HTTP control port, and read
back what requests it saw. It listens on 127.0.0.1 only.

    https_server.py --cert server.crt --key server.key --ca ca.crt \
        [--require-client-cert] --port-file FILE

writes "HTTPS_PORT CONTROL_PORT" to FILE once both ports listen.
"""
import argparse
import json
import os
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
SCRIPTS = {}   # path -> list of responses; the last one repeats
REQUESTS = []  # what was seen


def status_body(code, reason, message):
    return json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                       "status": "Failure", "message": message,
                       "reason": reason, "code": code})


def next_response(path_qs, path):
    with LOCK:
        for key in (path_qs, path):
            script = SCRIPTS.get(key)
            if script:
                return script[0] if len(script) == 1 else script.pop(0), key
    return None, None


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        cn = None
        try:
            cert = self.connection.getpeercert()
            if cert:
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
        except (AttributeError, ValueError):
            pass
        path = urlsplit(self.path).path
        with LOCK:
            REQUESTS.append({
                "method": self.command, "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "accept": self.headers.get("Accept"),
                "user_agent": self.headers.get("User-Agent"),
                "body": body, "client_cn": cn})
        resp, key = next_response(self.path, path)
        if resp is None:
            return self._send(404, {}, status_body(404, "NotFound",
                                                   "no script for " + path))
        want = resp.get("auth")
        if want is not None and self.headers.get("Authorization") != want:
            return self._send(401, {}, status_body(401, "Unauthorized",
                                                   "Unauthorized"))
        if resp.get("delay"):
            time.sleep(resp["delay"])
        headers = resp.get("headers", {})
        if "chunks" in resp:
            return self._stream(resp.get("status", 200), headers, resp)
        body_out = resp.get("body")
        if body_out is None and "json" in resp:
            body_out = json.dumps(resp["json"])
        self._send(resp.get("status", 200), headers, body_out or "")

    def _send(self, code, headers, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", headers.pop("Content-Type",
                                                     "application/json"))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, code, headers, resp):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in resp["chunks"]:
            data = chunk.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            if resp.get("chunk_delay"):
                time.sleep(resp["chunk_delay"])
        if resp.get("cut"):
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        q = parse_qs(urlsplit(self.path).query)
        length = int(self.headers.get("Content-Length") or 0)
        script = json.loads(self.rfile.read(length) or b"[]")
        with LOCK:
            SCRIPTS[q["path"][0]] = list(script)
        self._reply("{}")

    def do_GET(self):
        with LOCK:
            out = json.dumps(REQUESTS)
            REQUESTS.clear()
        self._reply(out)

    def _reply(self, text):
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--require-client-cert", action="store_true")
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.ca)
    ctx.verify_mode = (ssl.CERT_REQUIRED if a.require_client_cert
                       else ssl.CERT_OPTIONAL)
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    api.daemon_threads = True
    api.socket = ctx.wrap_socket(api.socket, server_side=True)
    ctl = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    ctl.daemon_threads = True
    threading.Thread(target=ctl.serve_forever, daemon=True).start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (api.server_address[1], ctl.server_address[1]))
    os.rename(tmp, a.port_file)
    api.serve_forever()


if __name__ == "__main__":
    main()
