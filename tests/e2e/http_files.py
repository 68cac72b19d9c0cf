#!/usr/bin/env python3
"""A small HTTP file server for the tests (loopback only): serves DIR, answers Range requests
with 206, and misbehaves on purpose under path prefixes: /cut/ stops halfway through a body,
/norange/ ignores Range, /fail/ answers 500. Prints its port, logs each request to DIR/.log.
usage: http_files.py DIR"""
import http.server
import os
import sys

ROOT = os.path.abspath(sys.argv[1])


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(os.path.join(ROOT, ".log"), "a") as f:
            f.write("%s range=%s\n" % (self.path, self.headers.get("Range", "-")))

    def do_GET(self):
        path, mode = self.path, ""
        for m in ("/cut/", "/norange/", "/fail/"):
            if path.startswith(m):
                mode, path = m.strip("/"), path[len(m) - 1:]
        self.log_message("")
        if mode == "fail":
            self.send_error(500)
            return
        full = os.path.normpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            self.send_error(404)
            return
        data = open(full, "rb").read()
        start, status = 0, 200
        rng = self.headers.get("Range")
        if rng and mode != "norange" and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        body = data[start:]
        self.send_response(status)
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
