#!/usr/bin/env python3
"""registry_proxy.py PORT UPSTREAM_PORT LOG [MODE...] - an HTTP proxy in
front of a docker-registry on 127.0.0.1, for tests/push.sh. It logs
"METHOD PATH STATUS" for every request to LOG and misbehaves as the modes
say:

  fail=N        answer 500 to the first N requests of each method
  drop=N        close the connection without an answer, the first N requests
  deny=METHOD   answer 403 DENIED to every request of METHOD
  throttle=N:S  answer 429 with Retry-After: S to the first N requests
  bearer=U:P    Docker token auth: /v2/ wants a Bearer token from /token,
                which wants Basic U:P and logs "TOKEN scope=..."
  basic=U:P     Basic auth, the registry's way
  hostile=big   answer a manifest GET with 5 MiB
  hostile=headers  answer every request with 200 header lines
  hostile=loop  redirect every request to itself
  hostile=referrers  answer a GET of a referrers tag (manifests/sha256-...)
                with 4 MiB of "{},"
  subject=1     answer a manifest PUT whose JSON has a subject with
                OCI-Subject, as a registry with the referrers API does

It prints its port when it is ready to answer."""
import base64
import http.client
import http.server
import json
import sys
import threading

port, upstream, log_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
modes = dict(m.split('=', 1) for m in sys.argv[4:])
lock = threading.Lock()
counts = {}
tokens = set()
log = open(log_path, 'a', buffering=1)


def bump(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1
        return counts[key]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def answer(self, status, body=b'', headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)
        log.write('%s %s %d\n' % (self.command, self.path, status))

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def token(self):
        want = 'Basic ' + base64.b64encode(modes['bearer'].encode()).decode()
        if self.headers.get('Authorization') != want:
            return self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
        query = self.path.split('?', 1)[1] if '?' in self.path else ''
        scopes = [q[6:] for q in query.split('&') if q.startswith('scope=')]
        log.write('TOKEN %s\n' % ' '.join('scope=' + s for s in scopes))
        t = 'tok%d' % bump('token')
        with lock:
            tokens.add(t)
        self.answer(200, ('{"token": "%s", "expires_in": 300}' % t).encode())

    def authorized(self):
        auth = self.headers.get('Authorization') or ''
        if 'bearer' in modes:
            if auth.startswith('Bearer ') and auth[7:] in tokens:
                return True
            realm = 'http://127.0.0.1:%d/token' % port
            self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}',
                        [('WWW-Authenticate', 'Bearer realm="%s",service="fake"' % realm)])
            return False
        if 'basic' in modes:
            if auth == 'Basic ' + base64.b64encode(modes['basic'].encode()).decode():
                return True
            self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"who are you"}]}',
                        [('WWW-Authenticate', 'Basic realm="fake"')])
            return False
        return True

    def handle_one(self):
        data = self.body()
        if self.path.startswith('/token'):
            return self.token()
        hostile = modes.get('hostile')
        if hostile == 'loop':
            return self.answer(302, b'', [('Location', self.path)])
        if hostile == 'headers':
            return self.answer(200, b'', [('X-Junk-%d' % i, 'x' * 10) for i in range(200)])
        if hostile == 'big' and '/manifests/' in self.path:
            return self.answer(200, b' ' * (5 << 20),
                               [('Content-Type', 'application/vnd.oci.image.manifest.v1+json')])
        if hostile == 'referrers' and '/manifests/sha256-' in self.path and self.command == 'GET':
            big = b'{"manifests":[' + b'{},' * ((4 << 20) // 3 - 10) + b'{}]}'
            return self.answer(200, big, [('Content-Type', 'application/vnd.oci.image.index.v1+json')])
        if int(modes.get('drop', 0)) >= bump('drop'):
            log.write('%s %s dropped\n' % (self.command, self.path))
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if 'throttle' in modes:
            n, secs = modes['throttle'].split(':')
            if int(n) >= bump('throttle'):
                return self.answer(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                                   [('Retry-After', secs)])
        if int(modes.get('fail', 0)) >= bump('fail ' + self.command):
            return self.answer(500, b'{"errors":[{"code":"UNKNOWN","message":"try again"}]}')
        if modes.get('deny') == self.command:
            return self.answer(403, b'{"errors":[{"code":"DENIED","message":"not you"}]}')
        if not self.authorized():
            return
        c = http.client.HTTPConnection('127.0.0.1', upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() != 'authorization'}
        c.request(self.command, self.path, body=data, headers=headers)
        r = c.getresponse()
        body = r.read()
        self.send_response(r.status)
        if 'subject' in modes and self.command == 'PUT' and '/manifests/' in self.path and r.status == 201:
            subject = json.loads(data).get('subject', {}).get('digest')
            if subject:
                self.send_header('OCI-Subject', subject)
        for k, v in r.getheaders():
            if k.lower() not in ('content-length', 'transfer-encoding', 'connection'):
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)) if self.command != 'HEAD'
                         else r.getheader('Content-Length') or '0')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)
        log.write('%s %s %d\n' % (self.command, self.path, r.status))
        c.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one


server = http.server.ThreadingHTTPServer(('127.0.0.1', port), Proxy)
print(port, flush=True)
server.serve_forever()
