"""Forks one child per proof app after importing the Python stacks once.

Starting Python and importing FastAPI or Django costs a few hundred milliseconds of CPU per app;
a fork of this already-warm process costs a few. Protocol: one JSON job per stdin line
({"id", "workdir", "script", "env"}); the answer is one JSON line {"id", "pid"}. The child runs
the script as ``__main__`` in its workdir, with stdout/stderr in stdout.txt/stderr.txt there.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import traceback

# Imported here so every child shares them; nothing that reads Django settings at import time.
import django  # noqa: F401
import fastapi
import fastapi.middleware.cors
import fastapi.responses  # noqa: F401
import flask  # noqa: F401
import flask_cors  # noqa: F401
import uvicorn  # noqa: F401
import werkzeug.serving  # noqa: F401


def _child(job: dict) -> None:
    os.chdir(job["workdir"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.environ.update(job["env"])
    sys.path.insert(0, job["workdir"])
    sys.argv = [job["script"]]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    runpy.run_path(job["script"], run_name="__main__")


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _child(job)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        print(json.dumps({"id": job["id"], "pid": pid}), flush=True)


if __name__ == "__main__":
    main()
