#!/usr/bin/env python3
"""A local stand-in for GitHub's runner: runs jobs of a workflow file, step by step, in a fresh
container of the clean Debian 12 image of scripts/clean-container.sh, so that a missing step
fails here, not on GitHub.

What it runs: `run:` steps (the step's `shell`, `bash` as GitHub starts it by default, with the
workflow's, job's and step's `env`, `working-directory`, `if:`, `continue-on-error` and
`timeout-minutes`), and the few `uses:` it can emulate:
  actions/checkout              a fresh clone of the commit (--rev) into the workspace
  dtolnay/rust-toolchain        the host's Rust toolchain, mounted read-only (its version must be
                                the one asked for; components are checked)
  actions/upload-artifact       copies the matched files into a folder shared by the jobs of this
  actions/download-artifact     run (least common ancestor as root, executable bits dropped, as
                                GitHub does); `name` or `pattern`
Any other `uses:` fails the job. `${{ }}` expressions are evaluated for the contexts github, env,
matrix, needs, steps, job, runner and the functions GitHub has (fromJSON, toJSON, contains,
startsWith, endsWith, format, join, always, success, failure, cancelled).

The image: a job with `container: debian:bookworm` gets a bare Debian minbase (no registry is
reachable here, so the official image is stood in for by `debootstrap --variant=minbase`, which is
what it is); a job without a container gets the clean image (Python 3, git, a C compiler), a
stand-in for the runner's virtual machine. A job without a container also gets the host's Docker
socket and its workspace at the same path as on the host, as on GitHub's virtual machine, where
the engine resolves bind mounts of the checkout.

usage: scripts/run-workflow.py WORKFLOW.yml [--job ID]... [--matrix KEY=VALUE]... [--rev REV]
                               [--event NAME] [--nice N] [--steps N] [--keep] [--out DIR]
Jobs run in the order given (default: every job, in file order); the outputs of one are the
`needs` of the next. A matrix job runs one shard: the --matrix values, or the first entry of its
`include` list when none is given.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import yaml  # PyYAML: Debian's python3-yaml or PyPI's PyYAML
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("run-workflow.py needs PyYAML: apt-get install python3-yaml (or pip install PyYAML)")

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "scripts" / "clean-container.sh"
RUST_IN = "/opt/rust"


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Expressions: `${{ … }}` translated to a Python expression over dict-like contexts.


class Ctx:
    """A context object: `a.b` and `a['b']` read keys; a missing key is null, as on GitHub."""

    def __init__(self, d: dict):
        self._d = d

    def __getattr__(self, key: str):
        if key.startswith("__"):
            raise AttributeError(key)
        return wrap(self._d.get(key))

    def __getitem__(self, key):
        return wrap(self._d.get(key))

    def __eq__(self, other):
        return isinstance(other, Ctx) and self._d == other._d


def wrap(v):
    return Ctx(v) if isinstance(v, dict) else [wrap(x) for x in v] if isinstance(v, list) else v


def unwrap(v):
    if isinstance(v, Ctx):
        return {k: unwrap(x) for k, x in v._d.items()}
    return [unwrap(x) for x in v] if isinstance(v, list) else v


def to_str(v) -> str:
    v = unwrap(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def _fmt(f: str, *args) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: to_str(args[int(m.group(1))]), f)


def translate(expr: str) -> str:
    """GitHub expression → Python expression (strings, operators, property access)."""
    out, i = [], 0
    while i < len(expr):
        c = expr[i]
        if c == "'":
            j = i + 1
            s = []
            while j < len(expr):
                if expr[j] == "'" and expr[j + 1 : j + 2] == "'":
                    s.append("'")
                    j += 2
                    continue
                if expr[j] == "'":
                    break
                s.append(expr[j])
                j += 1
            out.append(repr("".join(s)))
            i = j + 1
        elif expr.startswith("&&", i):
            out.append(" and ")
            i += 2
        elif expr.startswith("||", i):
            out.append(" or ")
            i += 2
        elif expr.startswith("==", i):
            out.append(" == ")
            i += 2
        elif expr.startswith("!=", i):
            out.append(" != ")
            i += 2
        elif c == "!":
            out.append(" not ")
            i += 1
        elif c.isalpha() or c == "_":
            j = i
            while j < len(expr) and (expr[j].isalnum() or expr[j] in "_-"):
                j += 1
            word = expr[i:j]
            if word in ("true", "false", "null"):
                out.append({"true": "True", "false": "False", "null": "None"}[word])
            elif out and out[-1] == ".":
                out[-1] = f"[{word!r}]"
            else:
                out.append(word.replace("-", "_"))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Evaluator:
    def __init__(self, contexts: dict, status: str = "success"):
        self.contexts = contexts
        self.status = status

    def eval(self, expr: str):
        ns = {k: wrap(v) for k, v in self.contexts.items()}
        ns.update(
            fromJSON=lambda s: wrap(json.loads(s)) if s else None,
            toJSON=lambda v: json.dumps(unwrap(v), indent=2),
            contains=lambda h, n: (to_str(n).lower() in h.lower()) if isinstance(h, str) else n in (h or []),
            startsWith=lambda s, p: to_str(s).lower().startswith(to_str(p).lower()),
            endsWith=lambda s, p: to_str(s).lower().endswith(to_str(p).lower()),
            format=_fmt,
            join=lambda a, sep=",": sep.join(map(to_str, a)) if isinstance(a, list) else to_str(a),
            always=lambda: True,
            success=lambda: self.status == "success",
            failure=lambda: self.status == "failure",
            cancelled=lambda: False,
            hashFiles=lambda *a: "",
        )
        py = translate(expr.strip())
        try:
            return eval("(" + py + ")", {"__builtins__": {}}, ns)  # noqa: S307 - our own workflow files
        except Exception as e:  # noqa: BLE001
            raise SystemExit(f"cannot evaluate ${{{{ {expr} }}}} (as {py!r}): {e}") from e

    def subst(self, text):
        if not isinstance(text, str):
            return text
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: to_str(self.eval(m.group(1))), text, flags=re.S)

    def condition(self, cond) -> bool:
        if cond is None:
            return self.status == "success"
        if isinstance(cond, bool):
            return cond
        c = cond.strip()
        if c.startswith("${{") and c.endswith("}}"):
            c = c[3:-2]
        if not re.search(r"\b(always|success|failure|cancelled)\(", c):
            c = f"success() && ({c})"
        return bool(self.eval(c))


# ---------------------------------------------------------------------------------------------
# The container.


class Container:
    def __init__(self, image: str, name: str, workspace: str, host_ws: Path | None, artifacts: Path,
                 nice: int, docker_socket: bool, volumes: list[str]):
        self.name = name
        self.workspace = workspace
        self.nice = nice
        args = ["docker", "run", "-d", "--name", name, "--hostname", "runner"]
        rustup = os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup"))
        cargo_bin = Path(os.environ.get("CARGO_HOME", str(Path.home() / ".cargo"))) / "bin"
        args += ["-v", f"{rustup}:{RUST_IN}/rustup:ro", "-v", f"{cargo_bin}:{RUST_IN}/cargo-bin:ro"]
        args += ["-v", f"{ROOT_GITDIR}:/src.git:ro", "-v", f"{artifacts}:/artifacts"]
        bundle = "/etc/ssl/certs/ca-certificates.crt"
        if os.path.isfile(bundle):
            # Where the network inspects TLS, the container trusts what the host trusts.
            args += ["-v", f"{bundle}:/etc/host-ca-certificates.crt:ro",
                     "-e", "PIP_CERT=/etc/host-ca-certificates.crt",
                     "-e", "REQUESTS_CA_BUNDLE=/etc/host-ca-certificates.crt",
                     "-e", "SSL_CERT_FILE=/etc/host-ca-certificates.crt",
                     "-e", "GIT_SSL_CAINFO=/etc/host-ca-certificates.crt",
                     "-e", "CARGO_HTTP_CAINFO=/etc/host-ca-certificates.crt"]
        if host_ws is not None:
            args += ["-v", f"{host_ws}:{workspace}"]
        if docker_socket and os.path.exists("/var/run/docker.sock"):
            args += ["-v", "/var/run/docker.sock:/var/run/docker.sock"]
        for v in volumes:
            args += ["-v", v]
        args += [image, "sleep", "infinity"]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        self.exec(f"mkdir -p {shlex.quote(workspace)} /github/home /github/runner_temp /github/files")

    def exec(self, script: str, env: dict | None = None, cwd: str | None = None, timeout=None,
             log_file=None, niced=False) -> int:
        args = ["docker", "exec", "-i"]
        for k, v in (env or {}).items():
            args += ["-e", f"{k}={v}"]
        args += ["-w", cwd or "/", self.name]
        if niced:
            args += ["nice", "-n", str(self.nice)]
        args += ["bash", "-c", script]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace")
        start = time.time()
        assert p.stdout is not None
        for line in p.stdout:
            sys.stdout.write("  | " + line)
            if log_file:
                log_file.write(line)
            if timeout and time.time() - start > timeout:
                p.kill()
                log(f"  timed out after {timeout} s")
                return 124
        return p.wait()

    def read(self, path: str) -> str:
        r = subprocess.run(["docker", "exec", self.name, "cat", path], capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else ""

    def remove(self) -> None:
        subprocess.run(["docker", "rm", "-f", self.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def parse_kv_file(text: str) -> dict:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: `k=v` lines and `k<<DELIM` … `DELIM` blocks."""
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            key, delim, buf = m.group(1), m.group(2), []
            i += 1
            while i < len(lines) and lines[i] != delim:
                buf.append(lines[i])
                i += 1
            out[key] = "\n".join(buf)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Jobs.


def image_for(job: dict) -> tuple[str, bool]:
    """(image tag, whether this is a virtual-machine job)."""
    container = job.get("container")
    image = container.get("image") if isinstance(container, dict) else container
    if image is None:
        env = dict(os.environ)
        return subprocess.run([str(CLEAN), "--image-only"], env=env, check=True, capture_output=True,
                              text=True).stdout.split()[-1], True
    if not re.fullmatch(r"debian:bookworm(-slim)?", image):
        raise SystemExit(f"container image {image!r}: only debian:bookworm can be stood in for here")
    env = dict(os.environ, PACKAGES="")
    return subprocess.run([str(CLEAN), "--image-only"], env=env, check=True, capture_output=True,
                          text=True).stdout.split()[-1], False


def run_job(wf: dict, job_id: str, args, needs_ctx: dict, artifacts: Path, out: Path) -> tuple[bool, dict]:
    job = wf["jobs"][job_id]
    github = {
        "sha": COMMIT, "ref": f"refs/heads/{args.ref}", "ref_name": args.ref, "event_name": args.event,
        "repository": "local/runner", "workspace": "", "run_id": "1", "run_number": "1",
        "base_ref": args.base_ref or "", "head_ref": "", "token": "", "actor": "local",
        "event": {"before": "", "pull_request": {"number": 0}}, "server_url": "http://localhost",
    }
    contexts = {"github": github, "env": {}, "matrix": {}, "needs": needs_ctx, "steps": {},
                "job": {"status": "success"}, "runner": {"os": "Linux", "arch": "X64", "temp": "/github/runner_temp"},
                "vars": {}, "secrets": {}, "inputs": {}, "strategy": {}}
    ev = Evaluator(contexts)
    if "if" in job and not ev.condition(job["if"]):
        log(f"== job {job_id}: skipped (if: {job['if']})")
        return True, {}
    strategy = job.get("strategy", {})
    if "matrix" in strategy:
        matrix = strategy["matrix"]
        if isinstance(matrix, str):
            matrix = unwrap(ev.eval(matrix.strip()[3:-2]))
        if args.matrix:
            contexts["matrix"] = dict(kv.split("=", 1) for kv in args.matrix)
        else:
            include = (matrix or {}).get("include") or []
            if not include:
                raise SystemExit(f"job {job_id}: a matrix job needs --matrix KEY=VALUE (no include list to take one from)")
            contexts["matrix"] = dict(include[0])
        log(f"   matrix: {json.dumps(contexts['matrix'])}")
    name = ev.subst(job.get("name", job_id))
    image, vm = image_for(job)
    log(f"\n== job {job_id} ({name}) in {image}{'' if vm else ' (stand-in for ' + str(job.get('container')) + ')'}")
    wenv = {k: ev.subst(v) for k, v in (wf.get("env") or {}).items()}
    contexts["env"] = dict(wenv)
    jenv = {k: ev.subst(v) for k, v in (job.get("env") or {}).items()}
    contexts["env"].update(jenv)

    host_ws = None
    if vm:
        # As on GitHub's virtual machine: the engine sees the workspace at the same path.
        host_ws = Path(tempfile.mkdtemp(prefix=f"run-workflow-{job_id}-", dir="/var/tmp"))
        host_ws.chmod(0o755)
        workspace = str(host_ws)
    else:
        workspace = "/__w/runner/runner"
    github["workspace"] = workspace
    cont = job.get("container") if isinstance(job.get("container"), dict) else {}
    c = Container(image, f"run-workflow-{os.getpid()}-{job_id}", workspace, host_ws, artifacts, args.nice,
                  docker_socket=vm, volumes=cont.get("volumes", []))
    defaults = {**((wf.get("defaults") or {}).get("run") or {}), **((job.get("defaults") or {}).get("run") or {})}
    path_extra: list[str] = []
    extra_env: dict = {}
    outputs: dict = {}
    ok_all = True
    t_job = time.time()
    timings = []
    try:
        for idx, step in enumerate(job.get("steps", []), 1):
            if args.steps and idx > args.steps:
                log(f"-- [{idx}…] not run (--steps {args.steps})")
                break
            ev.status = "success" if ok_all else "failure"
            contexts["job"]["status"] = ev.status
            title = ev.subst(step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0])
            if not ev.condition(step.get("if")):
                log(f"-- [{idx}] {title}: skipped")
                timings.append((title, "skipped", 0))
                continue
            log(f"-- [{idx}] {title}")
            env = {
                "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "GITHUB_SHA": COMMIT,
                "GITHUB_REF": github["ref"], "GITHUB_REF_NAME": args.ref, "GITHUB_EVENT_NAME": args.event,
                "GITHUB_BASE_REF": github["base_ref"], "GITHUB_REPOSITORY": github["repository"],
                "GITHUB_JOB": job_id, "RUNNER_OS": "Linux", "RUNNER_TEMP": "/github/runner_temp",
                "HOME": "/github/home" if not vm else "/root",
                "GITHUB_OUTPUT": f"/github/files/output-{idx}", "GITHUB_ENV": f"/github/files/env-{idx}",
                "GITHUB_PATH": f"/github/files/path-{idx}", "GITHUB_STEP_SUMMARY": f"/github/files/summary-{idx}",
            }
            env.update(wenv)
            env.update(jenv)
            env.update(extra_env)
            senv = {k: ev.subst(v) for k, v in (step.get("env") or {}).items()}
            env.update(senv)
            contexts["env"] = {**wenv, **jenv, **extra_env, **senv}
            env["PATH"] = ":".join(path_extra + ["/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
            timeout = float(step.get("timeout-minutes", 0)) * 60 or None
            t0 = time.time()
            with open(out / f"{job_id}-{idx:02d}.log", "w") as lf:
                if "run" in step:
                    rc = run_step(c, step, ev, env, defaults, workspace, timeout, lf)
                else:
                    rc = uses_step(c, step, ev, env, workspace, artifacts, path_extra, lf)
            dt = time.time() - t0
            # What the step wrote for later steps.
            for k, v in parse_kv_file(c.read(env["GITHUB_OUTPUT"])).items():
                contexts["steps"].setdefault(step.get("id", f"_{idx}"), {"outputs": {}})["outputs"][k] = v
            extra_env.update(parse_kv_file(c.read(env["GITHUB_ENV"])))
            path_extra[:0] = [p for p in c.read(env["GITHUB_PATH"]).splitlines() if p][::-1]
            summary = c.read(env["GITHUB_STEP_SUMMARY"])
            if summary:
                (out / f"{job_id}-summary.md").open("a").write(summary)
            if "id" in step:
                contexts["steps"].setdefault(step["id"], {"outputs": {}})
                contexts["steps"][step["id"]]["outcome"] = "success" if rc == 0 else "failure"
            verdict = "ok" if rc == 0 else f"FAILED (exit {rc})"
            if rc != 0 and step.get("continue-on-error"):
                verdict += ", continue-on-error"
            elif rc != 0:
                ok_all = False
            log(f"-- [{idx}] {title}: {verdict} in {dt:.0f} s")
            timings.append((title, "ok" if rc == 0 else f"exit {rc}", dt))
        ev.status = "success" if ok_all else "failure"
        for k, v in (job.get("outputs") or {}).items():
            outputs[k] = ev.subst(v)
    finally:
        log(f"\n== job {job_id}: {'passed' if ok_all else 'FAILED'} in {time.time() - t_job:.0f} s")
        for t, v, d in timings:
            log(f"   {t[:70]:<70} {v:<8} {d:6.0f} s")
        if args.keep:
            log(f"   container kept: docker exec -it {c.name} bash")
        else:
            c.remove()
            if host_ws is not None:
                subprocess.run(["rm", "-rf", str(host_ws)])
    return ok_all, outputs


def run_step(c: Container, step, ev, env, defaults, workspace, timeout, lf) -> int:
    script = ev.subst(step["run"])
    shell = step.get("shell") or defaults.get("shell") or "bash"
    wd = step.get("working-directory") or defaults.get("working-directory")
    cwd = workspace if not wd else str(Path(workspace) / ev.subst(wd))
    lf.write(script + "\n---\n")
    runner_file = f"/github/runner_temp/step-{time.time_ns()}.sh"
    # The script goes in a file, as GitHub does; then the shell runs it.
    write = subprocess.run(["docker", "exec", "-i", c.name, "bash", "-c", f"cat > {runner_file}"],
                           input=script, text=True)
    if write.returncode != 0:
        return write.returncode
    templates = {"bash": "bash --noprofile --norc -eo pipefail {0}", "sh": "sh -e {0}",
                 "python": "python3 {0}"}
    cmd = templates.get(shell, shell).replace("{0}", runner_file)
    return c.exec(cmd, env=env, cwd=cwd, timeout=timeout, log_file=lf, niced=True)


def uses_step(c: Container, step, ev, env, workspace, artifacts: Path, path_extra, lf) -> int:
    uses = step["uses"]
    action, _, ref = uses.partition("@")
    w = {k: ev.subst(v) for k, v in (step.get("with") or {}).items()}
    if action == "actions/checkout":
        # A fresh clone of the commit (the whole history: fetch-depth is not emulated).
        script = (
            "set -e; git config --global --add safe.directory '*'; "
            f"git clone --quiet --no-local /src.git {shlex.quote(workspace)}/.tmp-clone; "
            f"shopt -s dotglob; mv {shlex.quote(workspace)}/.tmp-clone/* {shlex.quote(workspace)}/; "
            f"rmdir {shlex.quote(workspace)}/.tmp-clone; cd {shlex.quote(workspace)}; "
            f"git checkout --quiet --detach {COMMIT}; git log -1 --format='%h %s'"
        )
        return c.exec(script, env={**env, "PATH": env["PATH"]}, log_file=lf)
    if action == "dtolnay/rust-toolchain":
        want = w.get("toolchain") or ref
        path_extra.insert(0, f"{RUST_IN}/cargo-bin")
        env = dict(env, PATH=f"{RUST_IN}/cargo-bin:" + env["PATH"], RUSTUP_HOME=f"{RUST_IN}/rustup")
        check = "rustc -V && cargo -V"
        if re.fullmatch(r"\d+\.\d+(\.\d+)?", want):
            check += f" && rustc -V | grep -q '^rustc {re.escape(want)}' || {{ echo 'the host has not Rust {want}'; exit 1; }}"
        comps = [x.strip() for x in str(w.get("components", "")).split(",") if x.strip()]
        for comp in comps:
            tool = {"rustfmt": "cargo fmt --version", "clippy": "cargo clippy --version"}.get(comp, "true")
            check += f" && {tool}"
        # Later steps see the toolchain too (RUSTUP_HOME; CARGO_HOME stays the job's own).
        c.exec(f"echo RUSTUP_HOME={RUST_IN}/rustup >> {env['GITHUB_ENV']}; "
               f"echo CARGO_HOME=$HOME/.cargo >> {env['GITHUB_ENV']}", env=env)
        return c.exec(check, env=env, log_file=lf)
    if action == "actions/upload-artifact":
        name = w.get("name", "artifact")
        patterns = [p.strip() for p in str(w.get("path", "")).splitlines() if p.strip()]
        listing = subprocess.run(
            ["docker", "exec", "-w", workspace, c.name, "bash", "-c",
             "shopt -s globstar nullglob; for p in " + " ".join(patterns) + "; do [ -f \"$p\" ] && realpath \"$p\"; done; true"],
            capture_output=True, text=True).stdout.split()
        if not listing:
            mode = w.get("if-no-files-found", "warn")
            lf.write(f"no files match {patterns}\n")
            log(f"  no files match {patterns} (if-no-files-found: {mode})")
            return 1 if mode == "error" else 0
        root = os.path.commonpath([os.path.dirname(f) for f in listing])
        rels = [os.path.relpath(f, root) for f in listing]
        dest = f"/artifacts/{name}"
        script = (f"set -e; rm -rf {dest}; mkdir -p {dest}; cd {shlex.quote(root)}; "
                  f"cp --parents {' '.join(shlex.quote(r) for r in rels)} {dest}/; "
                  f"find {dest} -type f -exec chmod a-x {{}} +; ls -R {dest} | head -20")
        return c.exec(script, env=env, log_file=lf)
    if action == "actions/download-artifact":
        path = w.get("path") or "."
        dest = path if path.startswith("/") else f"{workspace}/{path}"
        if "name" in w:
            src = [w["name"]]
            script = f"set -e; test -d /artifacts/{w['name']} || {{ echo 'no artifact {w['name']}'; exit 1; }}; mkdir -p {shlex.quote(dest)}; cp -r /artifacts/{w['name']}/. {shlex.quote(dest)}/"
        else:
            pat = w.get("pattern", "*")
            src = [p.name for p in artifacts.iterdir() if fnmatch.fnmatch(p.name, pat)]
            if not src:
                log(f"  no artifact matches {pat}")
                return 1
            parts = [f"mkdir -p {shlex.quote(dest)}/{s} && cp -r /artifacts/{s}/. {shlex.quote(dest)}/{s}/" for s in src]
            if w.get("merge-multiple"):
                parts = [f"mkdir -p {shlex.quote(dest)} && cp -r /artifacts/{s}/. {shlex.quote(dest)}/" for s in src]
            script = "set -e; " + "; ".join(parts)
        return c.exec(script + f"; ls -R {shlex.quote(dest)} | head -20", env=env, log_file=lf)
    log(f"  cannot emulate `uses: {uses}` here")
    return 1


def main() -> int:
    global COMMIT, ROOT_GITDIR
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workflow")
    ap.add_argument("--job", action="append", help="job id, in order (default: all, in file order)")
    ap.add_argument("--matrix", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--rev", default="HEAD", help="commit to check out (default: HEAD of this checkout)")
    ap.add_argument("--event", default="workflow_dispatch", help="github.event_name (default workflow_dispatch)")
    ap.add_argument("--ref", default="main", help="github.ref_name (default main)")
    ap.add_argument("--base-ref", default="", help="github.base_ref on pull_request")
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the containers")
    ap.add_argument("--steps", type=int, default=0, help="run only the first N steps of each job")
    ap.add_argument("--out", help="folder for step logs and artifacts (default: a new one in /tmp)")
    args = ap.parse_args()

    COMMIT = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{args.rev}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    ROOT_GITDIR = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    wf = yaml.safe_load(Path(args.workflow).read_text())
    jobs = args.job or list(wf["jobs"])
    out = Path(args.out or tempfile.mkdtemp(prefix="run-workflow-"))
    out.mkdir(parents=True, exist_ok=True)
    artifacts = out / "artifacts"
    artifacts.mkdir(exist_ok=True)
    log(f"{args.workflow} at {COMMIT[:12]}: jobs {', '.join(jobs)}; logs in {out}")
    needs: dict = {}
    results = []
    for j in jobs:
        if j not in wf["jobs"]:
            raise SystemExit(f"no job {j!r} in {args.workflow} (jobs: {', '.join(wf['jobs'])})")
        t = time.time()
        ok, outputs = run_job(wf, j, args, needs, artifacts, out)
        needs[j] = {"outputs": outputs, "result": "success" if ok else "failure"}
        results.append((j, ok, time.time() - t))
        if not ok:
            break
    log("\n== summary")
    for j, ok, d in results:
        log(f"   job {j:<20} {'passed' if ok else 'FAILED':<8} {d:6.0f} s")
    return 0 if results and all(ok for _, ok, _ in results) and len(results) == len(jobs) else 1


COMMIT = ""
ROOT_GITDIR = ""

if __name__ == "__main__":
    sys.exit(main())
