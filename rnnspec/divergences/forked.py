"""Run Python scripts as `python SCRIPT` runs them, each in a fork of one process that has imported Keras already.

The reproducers (`rnnspec.divergences.repro`) are standalone scripts, each run in a process of its own so that nothing a test
session did can change what it shows. Most of a fresh process's time is importing Keras and its framework (about
4 s on TensorFlow, against 0.1 to 0.9 s for a reproducer itself). This runner imports them once, with the backend
its environment names, then forks a child per script: each child still starts from a process that has done nothing
but those imports. Where forking a process that imported a framework is not safe (no `os.fork`; macOS), each
script runs in a fresh process instead.

    python -m rnnspec.divergences.forked SECONDS SCRIPT...   # a JSON line per script: {"script", "exit", "stdout", "stderr"}

`exit` is the script's exit status, or null where it ran past SECONDS and was killed.
"""

import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import time
import traceback

RESULT_KEY = "script"  # the key that marks the runner's result lines among anything the imports print


def keras_module() -> str:
    return "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras"


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"


def run_in_child(script: str) -> int:
    """In the forked child: run the script as __main__, return its exit status as the interpreter would."""
    sys.argv = [script]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:  # what the interpreter does with an uncaught exception, traceback included
        traceback.print_exc()
        return 1
    return 0


def forked(script: str, seconds: float) -> tuple[int | None, str, str]:
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:
            os.dup2(stdout.fileno(), 1)
            os.dup2(stderr.fileno(), 2)
            status = run_in_child(script)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
        deadline = time.monotonic() + seconds
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        if done[0] == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = None
        else:
            status = os.waitstatus_to_exitcode(done[1])
        return status, *(read(captured) for captured in (stdout, stderr))


def read(captured) -> str:
    captured.seek(0)
    return captured.read().decode(errors="replace")


def fresh(script: str, seconds: float) -> tuple[int | None, str, str]:
    try:
        ran = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return ran.returncode, ran.stdout, ran.stderr


def main(arguments: list[str]) -> int:
    seconds, scripts = float(arguments[0]), arguments[1:]
    run = fresh
    if can_fork():
        importlib.import_module(keras_module())  # with its framework: what every script imports first
        run = forked
    for script in scripts:
        status, stdout, stderr = run(script, seconds)
        print(json.dumps({RESULT_KEY: script, "exit": status, "stdout": stdout, "stderr": stderr}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
