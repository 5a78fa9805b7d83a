"""Real servers for the live proof: a minimal app per stack with the rendered fix pasted in verbatim.

Each app has one route, the failing request's path, which answers the status the HAR showed
(raising an exception for a 5xx, like the crashing handler behind a "CORS error on 500"), and,
when the HAR's preflight was rejected with 401/403, an authentication layer that refuses requests
without credentials — placed where the fix says: after the CORS layer. Nothing else about CORS is
in the skeletons; the only CORS code is the fix's.

Node apps need tools/proof/setup.sh (Express, cors, Fastify, @fastify/cors in tools/proof/node);
nginx comes from Debian.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fixes.proof_replay import Scenario

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "tools" / "proof" / "node" / "node_modules"
SETUP_HINT = "run tools/proof/setup.sh (installs Node packages into tools/proof/node and nginx)"
PROOF_STACKS = ("flask", "fastapi", "django", "express", "fastify", "nginx")
START_TIMEOUT = 30.0
NGINX_SERVER_MARKER = "# In your server { } block."


class MissingTool(RuntimeError):
    pass


_FLASK = '''\
import json
import os

from flask import Flask, request

SCENARIO = json.loads(os.environ["PROOF_SCENARIO"])
app = Flask("proof")


def your_auth_check():
    if request.headers.get("Authorization") or request.headers.get("Cookie"):
        return None
    return "unauthorized", 401


def handler():
    if SCENARIO["status"] >= 500:
        raise RuntimeError("the app crashed")
    return "ok", SCENARIO["status"]


app.add_url_rule(SCENARIO["path"], "handler", handler, methods=[SCENARIO["method"]])

# ---- the fix, verbatim ----
{fix}
# ---- end of the fix ----

if SCENARIO["auth"] and not app.before_request_funcs.get(None):
    # The fix brought no auth hook of its own (one that calls your_auth_check): authenticate in a
    # plain before_request hook, as the app did when the HAR was recorded.
    app.before_request(your_auth_check)

if __name__ == "__main__":
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print("PORT", server.server_port, flush=True)
    server.serve_forever()
'''

_FASTAPI = '''\
import json
import os
import socket

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

SCENARIO = json.loads(os.environ["PROOF_SCENARIO"])
app = FastAPI()


async def handler():
    if SCENARIO["status"] >= 500:
        raise RuntimeError("the app crashed")
    return PlainTextResponse("ok", status_code=SCENARIO["status"])


app.add_api_route(SCENARIO["path"], handler, methods=[SCENARIO["method"]])

if SCENARIO["auth"]:
    @app.middleware("http")
    async def authenticate(request: Request, call_next):
        if request.headers.get("authorization") or request.headers.get("cookie"):
            return await call_next(request)
        return PlainTextResponse("unauthorized", status_code=401)

# ---- the fix, verbatim ----
{fix}
# ---- end of the fix ----

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print("PORT", sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
'''

_DJANGO_SETTINGS = '''\
SECRET_KEY = "live-proof"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "proofurls"
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "proofurls.RequireCredentials"]
USE_TZ = True

# ---- the fix, verbatim ----
{fix}
# ---- end of the fix ----
'''

_DJANGO_URLS = '''\
import json
import os
import re

from django.http import HttpResponse
from django.urls import re_path

SCENARIO = json.loads(os.environ["PROOF_SCENARIO"])


class RequireCredentials:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SCENARIO["auth"] and not (request.headers.get("Authorization") or request.headers.get("Cookie")):
            return HttpResponse("unauthorized", status=401)
        return self.get_response(request)


def handler(request):
    if SCENARIO["status"] >= 500:
        raise RuntimeError("the app crashed")
    return HttpResponse("ok", status=SCENARIO["status"])


urlpatterns = [re_path("^" + re.escape(SCENARIO["path"].lstrip("/")) + "$", handler)]
'''

_DJANGO_RUN = '''\
import os
from wsgiref.simple_server import WSGIRequestHandler, make_server

os.environ["DJANGO_SETTINGS_MODULE"] = "proofsettings"
import django

django.setup()
from django.core.wsgi import get_wsgi_application


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
print("PORT", server.server_port, flush=True)
server.serve_forever()
'''

_EXPRESS_HEAD = """\
const SCENARIOS = JSON.parse(process.env.PROOF_SCENARIOS);
const express = require('express');
const BUILDERS = [];
"""

# One builder per app: the fix is pasted verbatim into its own function scope.
_EXPRESS_APP = """\
BUILDERS.push(async (SCENARIO) => {
  const app = express();
// ---- the fix, verbatim ----
{fix}
// ---- end of the fix ----
  if (SCENARIO.auth) {
    app.use((req, res, next) => (req.headers.authorization || req.headers.cookie
      ? next() : res.status(401).send('unauthorized')));
  }
  app.use((req, res, next) => {
    if (req.path !== SCENARIO.path || req.method !== SCENARIO.method) return next();
    if (SCENARIO.status >= 500) throw new Error('the app crashed');
    res.status(SCENARIO.status).send('ok');
  });
  return new Promise((resolve) => { const server = app.listen(0, '127.0.0.1', () => resolve(server)); });
});
"""

_FASTIFY_HEAD = """\
const SCENARIOS = JSON.parse(process.env.PROOF_SCENARIOS);
const BUILDERS = [];
"""

_FASTIFY_APP = """\
BUILDERS.push(async (SCENARIO) => {
  const fastify = require('fastify')({ logger: false });
// ---- the fix, verbatim ----
{fix}
// ---- end of the fix ----
  if (SCENARIO.auth) {
    fastify.addHook('onRequest', async (request, reply) => {
      if (!request.headers.authorization && !request.headers.cookie) {
        reply.code(401).send('unauthorized');
        return reply;
      }
    });
  }
  fastify.route({
    method: SCENARIO.method,
    url: SCENARIO.path,
    handler: async (request, reply) => {
      if (SCENARIO.status >= 500) throw new Error('the app crashed');
      return reply.code(SCENARIO.status).send('ok');
    },
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return fastify.server;
});
"""

_NODE_MAIN = """\
(async () => {
  for (let i = 0; i < BUILDERS.length; i++) {
    const server = await BUILDERS[i](SCENARIOS[i]);
    console.log(`PORT ${i} ${server.address().port}`);
  }
})().catch((error) => { console.error(error); process.exit(1); });
"""

_NGINX = '''\
daemon off;
master_process off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream backend {{ server 127.0.0.1:{backend}; }}

# ---- the fix, verbatim (http part) ----
{http_part}
# ---- end ----

    server {{
        listen 127.0.0.1:{port};
# ---- the fix, verbatim (server part) ----
{server_part}
# ---- end ----
    }}
}}
'''


_PICKED: set[int] = set()


def _free_port() -> int:
    """A port for nginx below the kernel's ephemeral range: every other server of a run binds port
    0, and the kernel may hand a port released a moment ago (as a port-0 probe leaves it) to one
    of them before nginx binds it; ports outside that range are never handed out that way."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        if port in _PICKED:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _PICKED.add(port)
        return port
    with socket.socket() as s:  # a crowded machine: fall back to any free port
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _backend_handler(scenario: Scenario) -> type[BaseHTTPRequestHandler]:
    """The app behind nginx: no CORS of its own, except in the 'CORS in two layers' case."""

    class Backend(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if scenario.auth and not (self.headers.get("Authorization") or self.headers.get("Cookie")):
                status = 401
            elif self.command == "OPTIONS":
                status = 405  # an app with no OPTIONS route
            else:
                status = scenario.status
            body = b"ok" if status < 400 else b"error"
            self.send_response(status)
            if scenario.kind == "single-origin":
                self.send_header("Access-Control-Allow-Origin", "*")  # the app's own, second layer
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def __getattr__(self, name: str):  # do_GET, do_PUT, do_patch ...: every method
            if name.startswith("do_"):
                return self._answer
            raise AttributeError(name)

        def log_message(self, *args: object) -> None:
            pass

    return Backend


def require_tools(stacks: tuple[str, ...] = PROOF_STACKS) -> None:
    """Fail (not skip) when a tool the proof needs is missing."""
    missing = []
    if {"express", "fastify"} & set(stacks):
        if shutil.which("node") is None:
            missing.append("node")
        for pkg in ("express", "cors", "fastify", "@fastify/cors"):
            if not (NODE_MODULES / pkg / "package.json").exists():
                missing.append(f"npm package {pkg} in {NODE_MODULES}")
    if "nginx" in stacks and nginx_binary() is None:
        missing.append("nginx")
    if missing:
        raise MissingTool(f"live proof needs {', '.join(missing)}: {SETUP_HINT}")


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def scenario_json(scenario: Scenario) -> dict[str, object]:
    return {
        "path": scenario.path, "method": scenario.method, "status": scenario.status, "auth": scenario.auth,
    }


class ForkServer:
    """A warm Python process that forks one child per Python app (see proof_forkserver.py)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("proof_forkserver.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.children: set[int] = set()

    def spawn(self, workdir: Path, script: str, env: dict[str, str]) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"id": 0, "workdir": str(workdir), "script": script, "env": env}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the proof fork server died")
        pid = int(json.loads(answer)["pid"])
        self.children.add(pid)
        return pid

    def kill(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self.children.discard(pid)

    def close(self) -> None:
        for pid in list(self.children):
            self.kill(pid)
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@dataclass
class Host:
    """The running apps of one stack: ``ports[i]`` serves the i-th (fix, scenario)."""

    stack: str
    workdir: Path
    ports: list[int] = field(default_factory=list)
    stop_actions: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        for action in self.stop_actions:
            with contextlib.suppress(Exception):
                action()
        self.stop_actions.clear()

    def log(self, i: int) -> str:
        for path in (self.workdir / str(i) / "stderr.txt", self.workdir / "stderr.txt",
                     self.workdir / str(i) / "error.log"):
            if path.exists():
                return path.read_text(errors="replace")[-3000:]
        return ""


def _python_files(stack: str, fix_code: str, appdir: Path) -> str:
    """Write the app; return the script to run."""
    if stack == "flask":
        (appdir / "app.py").write_text(_FLASK.replace("{fix}", fix_code))
        return "app.py"
    if stack == "fastapi":
        (appdir / "app.py").write_text(_FASTAPI.replace("{fix}", fix_code))
        return "app.py"
    (appdir / "proofsettings.py").write_text(_DJANGO_SETTINGS.replace("{fix}", fix_code))
    (appdir / "proofurls.py").write_text(_DJANGO_URLS)
    (appdir / "run.py").write_text(_DJANGO_RUN)
    return "run.py"


def _port_from(path: Path) -> int | None:
    if not path.exists():
        return None
    for line in path.read_text(errors="replace").split("\n")[:-1]:  # complete lines only
        if line.startswith("PORT "):
            return int(line.split()[-1])
    return None


def start(stack: str, apps: list[tuple[str, Scenario]], workdir: Path, forks: ForkServer | None) -> Host:
    """Start every (fix code, scenario) app of one stack and wait until each accepts connections."""
    workdir.mkdir(parents=True, exist_ok=True)
    host = Host(stack, workdir)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        if stack in ("flask", "fastapi", "django"):
            assert forks is not None
            _start_python(host, apps, forks, deadline)
        elif stack in ("express", "fastify"):
            _start_node(host, apps, deadline)
        elif stack == "nginx":
            _start_nginx(host, apps, deadline)
        else:
            raise ValueError(stack)
    except BaseException:
        host.stop()
        raise
    return host


def _start_python(host: Host, apps: list[tuple[str, Scenario]], forks: ForkServer, deadline: float) -> None:
    for i, (code, scenario) in enumerate(apps):
        appdir = host.workdir / str(i)
        appdir.mkdir()
        script = _python_files(host.stack, code, appdir)
        pid = forks.spawn(appdir, script, {"PROOF_SCENARIO": json.dumps(scenario_json(scenario))})
        host.stop_actions.append(lambda pid=pid: forks.kill(pid))
    for i in range(len(apps)):
        stdout = host.workdir / str(i) / "stdout.txt"
        host.ports.append(_wait_for(lambda stdout=stdout: _port_from(stdout), deadline,
                                    lambda i=i: f"{host.stack} app {i} did not start:\n{host.log(i)}"))


def _start_node(host: Host, apps: list[tuple[str, Scenario]], deadline: float) -> None:
    """One Node process for all apps of the stack, each app listening on its own port."""
    head, body = (_EXPRESS_HEAD, _EXPRESS_APP) if host.stack == "express" else (_FASTIFY_HEAD, _FASTIFY_APP)
    source = head + "".join(body.replace("{fix}", code) for code, _ in apps) + _NODE_MAIN
    (host.workdir / "app.js").write_text(source)
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES),
           "PROOF_SCENARIOS": json.dumps([scenario_json(s) for _, s in apps])}
    stdout = host.workdir / "stdout.txt"
    with stdout.open("wb") as out, (host.workdir / "stderr.txt").open("wb") as err:
        process = subprocess.Popen([shutil.which("node") or "node", "app.js"], cwd=host.workdir, env=env,
                                   stdout=out, stderr=err)
    host.stop_actions.append(lambda: _terminate(process))
    ports: dict[int, int] = {}

    def all_listening() -> int | None:
        if process.poll() is not None:
            raise RuntimeError(f"{host.stack} exited:\n{host.log(0)}")
        for line in stdout.read_text(errors="replace").split("\n")[:-1]:
            if line.startswith("PORT "):
                _, i, port = line.split()
                ports[int(i)] = int(port)
        return len(ports) if len(ports) == len(apps) else None

    _wait_for(all_listening, deadline, lambda: f"{host.stack} did not start:\n{host.log(0)}")
    host.ports.extend(ports[i] for i in range(len(apps)))


def _start_nginx(host: Host, apps: list[tuple[str, Scenario]], deadline: float) -> None:
    """One nginx per app (it starts in milliseconds), each in front of its own plain backend."""
    started = []
    for i, (code, scenario) in enumerate(apps):
        appdir = host.workdir / str(i)
        appdir.mkdir()
        http_part, marker, server_part = code.partition(NGINX_SERVER_MARKER)
        if not marker:
            raise AssertionError("the nginx fix no longer says where its server { } part starts")
        backend = ThreadingHTTPServer(("127.0.0.1", 0), _backend_handler(scenario))
        threading.Thread(target=backend.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        host.stop_actions += [backend.shutdown, backend.server_close]
        launch = functools.partial(_launch_nginx, host, appdir, backend.server_address[1], http_part,
                                   marker + server_part)
        started.append((launch, *launch()))
    for i, (launch, process, port) in enumerate(started):
        # The port was free when picked, but another server of this run may take it before nginx
        # binds it (the kernel hands out released ports again): start that nginx again elsewhere.
        for _attempt in range(3):
            try:
                port = _wait_for(functools.partial(_accepting, process, port), deadline,
                                 lambda i=i: f"nginx {i} did not start:\n{host.log(i)}")
                break
            except _NginxExited:
                if "Address already in use" not in host.log(i):
                    raise RuntimeError(f"nginx {i} exited:\n{host.log(i)}") from None
                (host.workdir / str(i) / "error.log").unlink(missing_ok=True)
                process, port = launch()
        else:
            raise RuntimeError(f"nginx {i} found no free port:\n{host.log(i)}")
        host.ports.append(port)


class _NginxExited(RuntimeError):
    pass


def _launch_nginx(host: Host, appdir: Path, backend_port: int, http_part: str,
                  server_part: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    conf = _NGINX.format(work=appdir, backend=backend_port, port=port,
                         http_part=http_part, server_part=server_part)
    (appdir / "nginx.conf").write_text(conf)
    process = subprocess.Popen(
        [nginx_binary() or "nginx", "-p", str(appdir), "-e", str(appdir / "error.log"),
         "-c", str(appdir / "nginx.conf")],
        cwd=appdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    host.stop_actions.insert(0, lambda: _terminate(process))
    return process, port


def _accepting(process: subprocess.Popen[bytes], port: int) -> int | None:
    if process.poll() is not None:
        raise _NginxExited("nginx exited")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return None
    return port


def _wait_for(probe: Callable[[], int | None], deadline: float, message: Callable[[], str]) -> int:
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.01)
    raise RuntimeError(message())


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(5)
