"""Real external servers for the integration tests, each started as a subprocess on 127.0.0.1.

Every server here follows the same life cycle (`ManagedServer`):

- ``start()`` makes a fresh temp dir, writes the server's own configuration into it, picks free ports,
  starts the binary in a new session (its own process group), and polls until the server answers,
  failing with the tail of the server's log if it exits or is not ready in time;
- ``stop()`` sends the server its graceful stop signal, waits, then SIGKILLs the whole process group
  and any process that escaped the group but still names the temp dir on its command line (Chromium's
  crash handler does), and removes the temp dir;
- ``with Server() as s:`` does both; an atexit hook stops whatever is still running, and each server
  gets PR_SET_PDEATHSIG (SIGKILL) so it dies with the process (thread) that started it even when
  that process is killed outright.

The binaries come from Debian packages installed by `.ci/system-deps.sh`; the Oxigraph server binary
comes from the PyPI package `oxigraph` (the `test` extra). A missing binary raises `BinaryNotFound`
whose message says what to install.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, ClassVar, Self

import httpx

HOST = "127.0.0.1"
SYSTEM_DEPS_HINT = "install the system packages with `.ci/system-deps.sh` (as root; CI runs it)"

__all__ = [
    "HOST",
    "BinaryNotFound",
    "ChromiumBrowser",
    "ManagedServer",
    "OrthancServer",
    "OxigraphServer",
    "PostgresServer",
    "ServerError",
    "VirtuosoServer",
    "WebDriverError",
    "WebDriverSession",
    "find_binary",
    "free_port",
    "free_ports",
    "running_servers",
    "sweep_stale_servers",
]


class ServerError(RuntimeError):
    """A test server could not be started, or misbehaved."""


class BinaryNotFound(ServerError):
    """The server's binary (or plugin) is not installed on this machine."""


# -- ports and binaries ------------------------------------------------------------------------------


def free_ports(count: int, host: str = HOST) -> list[int]:
    """`count` distinct TCP ports free on `host` right now (all held open while picking)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port(host: str = HOST) -> int:
    """One TCP port free on `host` right now."""
    return free_ports(1, host)[0]


def find_binary(name: str, *candidates: str, package: str) -> str:
    """The path of executable `name`: on PATH, else the first existing candidate path.

    Raises `BinaryNotFound` naming the package to install.
    """
    found = shutil.which(name)
    if found:
        return found
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BinaryNotFound(f"`{name}` not found (Debian package `{package}`): {SYSTEM_DEPS_HINT}")


def _port_open(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# -- process handling --------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_libc: Any = None
with contextlib.suppress(OSError):
    _libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """preexec_fn: the kernel SIGKILLs the child when the thread that forked it dies."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """True when `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _pids_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (a temp dir unique to one server)."""
    needle = text.encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline and int(entry.name) != os.getpid() and _alive(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _tail(path: Path, lines: int) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


# -- ownership of temp dirs: a later run removes what a killed run left behind ---------------------

_OWNER_FILE = ".cikg-test-server-owner"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (with the pid, identifies a process across pid reuse)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return fields[19] if fields[0] not in ("Z", "X") else None


def _owner_token() -> str:
    return f"{os.getpid()} {_start_time(os.getpid())}"


def _owner_alive(token: str) -> bool:
    try:
        pid, started = token.split()
        return _start_time(int(pid)) == started
    except ValueError:
        return False


def sweep_stale_servers() -> list[Path]:
    """Kill the processes of, and remove, server temp dirs whose owning test process is gone.

    Only directories holding this module's owner file are touched. Runs once per process, before the
    first server starts; returns what it removed.
    """
    removed = []
    roots = {Path(tempfile.gettempdir()), Path("/tmp")}
    for root in roots:
        for directory in root.glob("cikg-*"):
            marker = directory / _OWNER_FILE
            try:
                token = marker.read_text()
            except OSError:
                continue
            if _owner_alive(token):
                continue
            for pid in _pids_mentioning(str(directory)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


_swept = False
# What a server logs when a port picked as free was taken before it could bind it (a race).
_PORT_TAKEN = re.compile(
    r"address already in use|already in use|Failed HTTP listen|could not bind", re.IGNORECASE
)
_LIVE: set[ManagedServer] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        servers = list(_LIVE)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


class ManagedServer:
    """Base class: one server process in its own process group and temp dir.

    Subclasses implement `_command()` (write config, return argv) and `_ready()`; they may override
    `_after_ready()` (setup once the server answers), `_log_files()` and the class attributes.
    """

    name: ClassVar[str] = "server"
    stop_signal: ClassVar[int] = signal.SIGTERM
    stop_timeout: ClassVar[float] = 15.0
    default_start_timeout: ClassVar[float] = 60.0

    def __init__(self, *, start_timeout: float | None = None) -> None:
        self.start_timeout = start_timeout or self.default_start_timeout
        self.host = HOST
        self.tmpdir: Path | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._command_line: list[str] = []

    # -- hooks ------------------------------------------------------------------------------------
    def _check_binaries(self) -> None:
        """Raise `BinaryNotFound` before anything is created when something is missing."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _after_ready(self) -> None:
        """Runs once the server answers; may raise `ServerError`."""

    def _popen_kwargs(self) -> dict[str, Any]:
        return {}

    def _make_tmpdir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"cikg-{self.name}-"))

    def _log_files(self) -> list[Path]:
        return [self.path("server.log")]

    # -- life cycle -------------------------------------------------------------------------------
    def path(self, *parts: str) -> Path:
        if self.tmpdir is None:
            raise ServerError(f"{self.name} is not started")
        return self.tmpdir.joinpath(*parts)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> Self:
        """Start and wait until ready; retried (twice) only when a port was taken meanwhile."""
        if self._proc is not None:
            raise ServerError(f"{self.name} is already started")
        self._check_binaries()
        global _swept
        if not _swept:
            _swept = True
            sweep_stale_servers()
        started = time.monotonic()
        for attempt in range(3):
            try:
                self._start_once(started)
                break
            except ServerError as exc:
                if attempt == 2 or not _PORT_TAKEN.search(str(exc)):
                    raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _start_once(self, started: float) -> None:
        self.tmpdir = self._make_tmpdir()
        self.path(_OWNER_FILE).write_text(_owner_token())
        with _LIVE_LOCK:
            _LIVE.add(self)
        try:
            self._command_line = self._command()
            self._log = self.path("server.log").open("ab")
            kwargs: dict[str, Any] = {
                "stdin": subprocess.DEVNULL,
                "stdout": self._log,
                "stderr": subprocess.STDOUT,
                "cwd": self.tmpdir,
                "start_new_session": True,
                "preexec_fn": _die_with_parent,
            }
            kwargs.update(self._popen_kwargs())
            self._proc = subprocess.Popen(self._command_line, **kwargs)
            self._wait_ready(started)
            self._after_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, started: float) -> None:
        assert self._proc is not None
        deadline = started + self.start_timeout
        delay = 0.05
        while True:
            code = self._proc.poll()
            if code is not None:
                raise self._failure(f"exited with code {code} while starting")
            with contextlib.suppress(httpx.HTTPError, OSError, subprocess.SubprocessError):
                if self._ready():
                    return
            if time.monotonic() > deadline:
                raise self._failure(f"did not become ready within {self.start_timeout:.0f}s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _failure(self, reason: str) -> ServerError:
        return ServerError(
            f"{self.name} {reason}\ncommand: {' '.join(self._command_line)}\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of each of the server's log files (for error messages)."""
        if self.tmpdir is None:
            return "(no log: the server was not started)"
        parts = []
        for path in self._log_files():
            parts.append(f"--- last {lines} lines of {path} ---\n{_tail(path, lines) or '(empty)'}")
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop gracefully, then SIGKILL the process group and strays; remove the temp dir. Idempotent."""
        proc = self._proc
        if proc is not None:
            pgid = proc.pid  # session leader: its pid is the group id
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(self.stop_signal)
                if not self._wait_exit_unreaped(proc.pid, self.stop_timeout):
                    _signal_group(pgid, signal.SIGKILL)
            # The leader is exited but not yet reaped, so its pid (= the group id) cannot be reused:
            # SIGKILL whatever is left in the group.
            _signal_group(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):  # only if SIGKILL itself failed
                proc.wait(timeout=10)
            self._proc = None
        if self.tmpdir is not None:
            # Processes that left the group (setsid) but still run from our temp dir, e.g. crash handlers.
            for pid in _pids_mentioning(str(self.tmpdir)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        with _LIVE_LOCK:
            _LIVE.discard(self)

    @staticmethod
    def _wait_exit_unreaped(pid: int, timeout: float) -> bool:
        """Wait until `pid` exits without reaping it; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return True
            if info is not None:
                return True
            time.sleep(0.02)
        return False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running else "stopped"
        return f"<{type(self).__name__} {state}>"


def _http_ok(url: str, **kwargs: Any) -> bool:
    return httpx.get(url, timeout=2.0, **kwargs).status_code == 200


# -- SPARQL stores -----------------------------------------------------------------------------------


class _SparqlServer(ManagedServer):
    """Common surface of the SPARQL servers, so one test can run against either."""

    sparql_query_url: str
    sparql_update_url: str
    gsp_url: str
    user: str | None = None
    password: str | None = None
    auth: str | None = None  # "digest", "basic" or None (anonymous)

    def httpx_auth(self) -> httpx.Auth | None:
        """The httpx auth for writes (None when anonymous)."""
        if self.user is None:
            return None
        if self.auth == "digest":
            return httpx.DigestAuth(self.user, self.password or "")
        return httpx.BasicAuth(self.user, self.password or "")

    def store_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `cikg.store.remote.RemoteSparqlStore`."""
        return {
            "query_url": self.sparql_query_url,
            "update_url": self.sparql_update_url,
            "gsp_url": self.gsp_url,
            "user": self.user,
            "password": self.password,
            "auth": self.auth or "digest",
        }


_VIRTUOSO_INI = """\
; Written by tests/support/servers.py: a throwaway Virtuoso in {tmp}
[Database]
DatabaseFile = {tmp}/virtuoso.db
ErrorLogFile = {tmp}/virtuoso.log
LockFile = {tmp}/virtuoso.lck
TransactionFile = {tmp}/virtuoso.trx
xa_persistent_file = {tmp}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {tmp}/virtuoso-temp.db
TransactionFile = {tmp}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
DirsAllowed = ., {tmp}
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
MaxQueryMem = 256M

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {tmp}/vsp
MaxClientConnections = 20
ServerThreads = 20
EnabledDavVSP = 0
HTTPProxyEnabled = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
; No ResultSetMaxRows / MaxQueryExecutionTime: their defaults are "no limit". When set, Virtuoso
; silently truncates answers ("anytime queries"), which would make tests pass on partial results.
"""


class VirtuosoServer(_SparqlServer):
    """OpenLink Virtuoso 7 (Debian `virtuoso-opensource`): a fresh database per start.

    Writes go through the authenticated endpoints with HTTP digest auth as `dba`/`dba`
    (`/sparql-auth` for SPARQL Update, `/sparql-graph-crud-auth` for the Graph Store Protocol).
    With ``anonymous_update=True`` the SPARQL user is granted SPARQL_UPDATE through isql instead and
    the anonymous endpoints (`/sparql`, `/sparql-graph-crud`) are used, with no credentials.
    Reads (`/sparql`) never need credentials. Virtuoso's default graph, when a query names no
    dataset, is the union of all graphs.
    """

    name = "virtuoso"
    default_start_timeout = 90.0

    def __init__(self, *, anonymous_update: bool = False, start_timeout: float | None = None) -> None:
        super().__init__(start_timeout=start_timeout)
        self.anonymous_update = anonymous_update
        self.http_port, self.sql_port = 0, 0
        self.dba_user, self.dba_password = "dba", "dba"

    def _check_binaries(self) -> None:
        self.binary = find_binary("virtuoso-t", package="virtuoso-opensource")
        self.isql_binary = find_binary("isql-vt", "/usr/bin/isql-vt", package="virtuoso-opensource")

    def _command(self) -> list[str]:
        self.http_port, self.sql_port = free_ports(2)
        self.path("vsp").mkdir()
        ini = self.path("virtuoso.ini")
        ini.write_text(
            _VIRTUOSO_INI.format(
                tmp=self.tmpdir, host=self.host, sql_port=self.sql_port, http_port=self.http_port
            )
        )
        self.base_url = f"http://{self.host}:{self.http_port}"
        self.sparql_query_url = f"{self.base_url}/sparql"
        if self.anonymous_update:
            self.sparql_update_url = f"{self.base_url}/sparql"
            self.gsp_url = f"{self.base_url}/sparql-graph-crud"
            self.user = self.password = self.auth = None
        else:
            self.sparql_update_url = f"{self.base_url}/sparql-auth"
            self.gsp_url = f"{self.base_url}/sparql-graph-crud-auth"
            self.user, self.password, self.auth = self.dba_user, self.dba_password, "digest"
        return [self.binary, "+configfile", str(ini), "+foreground"]

    def _ready(self) -> bool:
        return _port_open(self.sql_port) and _http_ok(self.sparql_query_url, params={"query": "ASK {}"})

    def _after_ready(self) -> None:
        if self.anonymous_update:
            self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def isql(self, sql: str, *, timeout: float = 60.0) -> str:
        """Run SQL as dba through `isql-vt`; returns its output, raises `ServerError` on an error."""
        result = subprocess.run(
            [
                self.isql_binary,
                f"{self.host}:{self.sql_port}",
                self.dba_user,
                self.dba_password,
                f"exec={sql}",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        # isql-vt exits 0 on SQL errors; it reports them on stderr as "*** Error ...".
        if result.returncode != 0 or "*** Error" in result.stderr:
            raise ServerError(f"isql-vt {sql!r} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout


def _oxigraph_binary() -> str:
    # The venv's bin dir first (the `oxigraph` PyPI package of the test extra), then PATH.
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise BinaryNotFound(
        "`oxigraph` server binary not found: it comes from the PyPI package `oxigraph`; "
        "install the test extra (`pip install -e '.[dev]'`)"
    )


class OxigraphServer(_SparqlServer):
    """The Oxigraph server (PyPI `oxigraph`), on disk in the temp dir; no authentication.

    Its default graph, when a query names no dataset, is the store's default graph (not the union).
    """

    name = "oxigraph"
    default_start_timeout = 30.0

    def __init__(self, *, union_default_graph: bool = False, start_timeout: float | None = None) -> None:
        super().__init__(start_timeout=start_timeout)
        self.union_default_graph = union_default_graph
        self.port = 0

    def _check_binaries(self) -> None:
        self.binary = _oxigraph_binary()

    def _command(self) -> list[str]:
        self.port = free_port()
        self.base_url = f"http://{self.host}:{self.port}"
        self.sparql_query_url = f"{self.base_url}/query"
        self.sparql_update_url = f"{self.base_url}/update"
        self.gsp_url = f"{self.base_url}/store"
        argv = [
            self.binary,
            "serve",
            "--location",
            str(self.path("data")),
            "--bind",
            f"{self.host}:{self.port}",
        ]
        if self.union_default_graph:
            argv.append("--union-default-graph")
        return argv

    def _ready(self) -> bool:
        return _http_ok(self.sparql_query_url, params={"query": "ASK {}"})


# -- Orthanc -----------------------------------------------------------------------------------------

_DICOMWEB_PLUGIN_CANDIDATES = (
    "/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
    "/usr/lib/orthanc/libOrthancDicomWeb.so",
)


def _dicomweb_plugin() -> str:
    for candidate in _DICOMWEB_PLUGIN_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    versioned = sorted(Path("/usr/lib/orthanc").glob("libOrthancDicomWeb.so*"))
    if versioned:
        return str(versioned[-1])
    raise BinaryNotFound(
        f"Orthanc DICOMweb plugin not found (Debian package `orthanc-dicomweb`): {SYSTEM_DEPS_HINT}"
    )


class OrthancServer(ManagedServer):
    """Orthanc (Debian `orthanc`) with the DICOMweb plugin, storage in the temp dir, no auth.

    Orthanc has no bind-address option: it listens on all interfaces, and `RemoteAccessAllowed: false`
    makes it refuse every client that is not on localhost.
    """

    name = "orthanc"
    default_start_timeout = 60.0
    aet = "CIKGTEST"

    def __init__(self, *, start_timeout: float | None = None) -> None:
        super().__init__(start_timeout=start_timeout)
        self.http_port, self.dicom_port = 0, 0

    def _check_binaries(self) -> None:
        self.binary = find_binary("Orthanc", "/usr/sbin/Orthanc", package="orthanc")
        self.plugin = _dicomweb_plugin()

    def _command(self) -> list[str]:
        self.http_port, self.dicom_port = free_ports(2)
        self.base_url = f"http://{self.host}:{self.http_port}"
        self.dicomweb_url = f"{self.base_url}/dicom-web"
        config = {
            "Name": "cikg-test",
            "HttpPort": self.http_port,
            "DicomPort": self.dicom_port,
            "DicomAet": self.aet,
            "StorageDirectory": str(self.path("storage")),
            "IndexDirectory": str(self.path("index")),
            "Plugins": [self.plugin],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "SaveJobs": False,
            "StableAge": 1,
        }
        path = self.path("orthanc.json")
        path.write_text(json.dumps(config, indent=2))
        return [self.binary, str(path)]

    def _ready(self) -> bool:
        return _http_ok(f"{self.dicomweb_url}/studies")

    def upload(self, dicom: str | os.PathLike[str] | bytes) -> dict[str, Any]:
        """POST one DICOM file (path or bytes) to `/instances`; returns Orthanc's answer."""
        body = dicom if isinstance(dicom, bytes) else Path(dicom).read_bytes()
        resp = httpx.post(
            f"{self.base_url}/instances",
            content=body,
            headers={"Content-Type": "application/dicom"},
            timeout=60,
        )
        if resp.status_code != 200:
            raise ServerError(f"Orthanc refused the upload ({resp.status_code}): {resp.text[:500]}")
        answer: dict[str, Any] = resp.json()
        return answer

    def clear(self) -> None:
        """Delete every patient (and so every study, series and instance)."""
        resp = httpx.get(f"{self.base_url}/patients", timeout=30)
        resp.raise_for_status()
        for patient in resp.json():
            httpx.delete(f"{self.base_url}/patients/{patient}", timeout=30).raise_for_status()


# -- PostgreSQL --------------------------------------------------------------------------------------


def _postgres_bindir() -> Path:
    found = shutil.which("pg_config")
    dirs = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for d in dirs:
        if (d / "postgres").is_file() and (d / "initdb").is_file():
            return d
    if found:  # a non-Debian layout: pg_config --bindir
        bindir = Path(
            subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        )
        if (bindir / "postgres").is_file():
            return bindir
    raise BinaryNotFound(
        f"PostgreSQL server binaries not found (Debian package `postgresql`): {SYSTEM_DEPS_HINT}"
    )


_INITDB_OPTIONS = ("--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")


class PostgresServer(ManagedServer):
    """PostgreSQL (Debian `postgresql`): a fresh cluster per start, trust auth, 127.0.0.1 only.

    initdb and postgres refuse to run as root: when the tests run as root they run as the `postgres`
    user (created by the Debian package) on a temp dir owned by it. Durability is off (fsync etc.).
    """

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: SIGTERM ("smart") waits for clients to disconnect
    default_start_timeout = 60.0
    superuser = "postgres"

    def __init__(self, *, start_timeout: float | None = None) -> None:
        super().__init__(start_timeout=start_timeout)
        self.port = 0
        self._run_as: tuple[int, int] | None = None

    def _check_binaries(self) -> None:
        self.bindir = _postgres_bindir()
        if os.geteuid() == 0:
            import pwd

            try:
                entry = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise BinaryNotFound(
                    "running as root needs the `postgres` user (Debian package `postgresql`): "
                    + SYSTEM_DEPS_HINT
                ) from exc
            self._run_as = (entry.pw_uid, entry.pw_gid)

    def _make_tmpdir(self) -> Path:
        # Under /tmp when switching user: the postgres user must be able to reach the directory.
        tmp = Path(tempfile.mkdtemp(prefix="cikg-postgres-", dir="/tmp" if self._run_as else None))
        if self._run_as:
            os.chown(tmp, *self._run_as)
        return tmp

    def _popen_kwargs(self) -> dict[str, Any]:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        if not self._run_as:
            return {"env": env}
        uid, gid = self._run_as
        return {"user": uid, "group": gid, "extra_groups": [], "env": {**env, "HOME": str(self.tmpdir)}}

    def _command(self) -> list[str]:
        data, sockets = self.path("data"), self.path("sockets")
        sockets.mkdir()
        if self._run_as:
            os.chown(sockets, *self._run_as)
        initdb = subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(data), "-U", self.superuser, *_INITDB_OPTIONS],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=self.tmpdir,
            **self._popen_kwargs(),
        )
        self.path("initdb.log").write_text(initdb.stdout + initdb.stderr)
        if initdb.returncode != 0:
            raise ServerError(f"initdb failed ({initdb.returncode}):\n{_tail(self.path('initdb.log'), 40)}")
        self.port = free_port()
        self.dsn = f"postgresql://{self.superuser}@{self.host}:{self.port}/postgres"
        settings = {
            "listen_addresses": self.host,
            "port": self.port,
            "unix_socket_directories": sockets,
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": 50,
            "shared_buffers": "32MB",
            "log_min_messages": "warning",
        }
        argv = [str(self.bindir / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return argv

    def _ready(self) -> bool:
        if not _port_open(self.port):
            return False
        probe = subprocess.run(
            [
                str(self.bindir / "pg_isready"),
                "-q",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.superuser,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            check=False,
        )
        return probe.returncode == 0

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{self.superuser}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name`; returns its DSN."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        import psycopg  # the test extra

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn_for(name)


# -- Chromium through chromedriver -------------------------------------------------------------------

_W3C_ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
    "--window-size=1280,900",
    # chromedriver talks to the browser over a pipe instead of a port: if chromedriver dies (even by
    # SIGKILL), the pipe closes and the browser exits with it.
    "--remote-debugging-pipe",
)


class WebDriverError(ServerError):
    """The WebDriver endpoint answered with an error (e.g. `no such element`)."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error


class WebDriverSession:
    """A minimal W3C WebDriver client for one browser session (plain httpx)."""

    def __init__(self, driver_url: str, capabilities: dict[str, Any], *, timeout: float = 60.0) -> None:
        self._http = httpx.Client(base_url=driver_url, timeout=timeout)
        try:
            value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        except BaseException:
            self._http.close()
            raise
        self.session_id: str = value["sessionId"]
        self.capabilities: dict[str, Any] = value["capabilities"]
        self._base = f"/session/{self.session_id}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        resp = self._http.request(method, path, json=body if method == "POST" else None)
        try:
            value = resp.json().get("value")
        except ValueError as exc:
            raise ServerError(
                f"WebDriver {method} {path} answered {resp.status_code}: {resp.text[:300]}"
            ) from exc
        if resp.status_code >= 400:
            error = value if isinstance(value, dict) else {}
            raise WebDriverError(
                str(error.get("error", resp.status_code)), str(error.get("message", ""))[:1000]
            )
        return value

    def navigate(self, url: str) -> None:
        self._call("POST", f"{self._base}/url", {"url": url})

    @property
    def url(self) -> str:
        return str(self._call("GET", f"{self._base}/url"))

    @property
    def title(self) -> str:
        return str(self._call("GET", f"{self._base}/title"))

    @property
    def page_source(self) -> str:
        return str(self._call("GET", f"{self._base}/source"))

    def find(self, css: str) -> str:
        """The element id of the first match of `css`; raises `WebDriverError` (`no such element`)."""
        value = self._call("POST", f"{self._base}/element", {"using": "css selector", "value": css})
        return str(value[_W3C_ELEMENT])

    def find_all(self, css: str) -> list[str]:
        values = self._call("POST", f"{self._base}/elements", {"using": "css selector", "value": css})
        return [str(v[_W3C_ELEMENT]) for v in values]

    def element_text(self, element: str) -> str:
        return str(self._call("GET", f"{self._base}/element/{element}/text"))

    def text(self, css: str) -> str:
        """The rendered text of the first element matching `css`."""
        return self.element_text(self.find(css))

    def click(self, css: str) -> None:
        self._call("POST", f"{self._base}/element/{self.find(css)}/click", {})

    def wait_for(self, css: str, timeout: float = 10.0) -> str:
        """Poll until `css` matches an element; returns its id."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.find(css)
            except WebDriverError as exc:
                if exc.error != "no such element" or time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def execute_script(self, script: str, *args: Any) -> Any:
        """Run `script` as a function body in the page (`return ...` gives the value)."""
        return self._call("POST", f"{self._base}/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self) -> bytes:
        """PNG bytes of the viewport."""
        return base64.b64decode(self._call("GET", f"{self._base}/screenshot"))

    def quit(self) -> None:
        """End the session (closes the browser); idempotent."""
        if self._http.is_closed:
            return
        try:
            self._call("DELETE", self._base)
        except (ServerError, httpx.HTTPError):
            pass
        finally:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit()


class ChromiumBrowser(ManagedServer):
    """chromedriver (Debian `chromium-driver`) driving headless Debian `chromium`.

    `session()` opens a browser with a fresh profile in the temp dir. HOME and the XDG dirs of the
    driver (and so of every browser) point into the temp dir, so nothing is written to the real home.
    chromedriver has no bind-address option: it listens on all interfaces but, by default, accepts
    connections from the local machine only.
    """

    name = "chromium"
    default_start_timeout = 30.0

    def __init__(self, *, start_timeout: float | None = None) -> None:
        super().__init__(start_timeout=start_timeout)
        self.port = 0
        self._sessions: list[WebDriverSession] = []
        self._profiles = 0

    def _check_binaries(self) -> None:
        self.driver_binary = find_binary("chromedriver", "/usr/bin/chromedriver", package="chromium-driver")
        self.browser_binary = find_binary(
            "chromium", "/usr/bin/chromium", "/usr/lib/chromium/chromium", package="chromium"
        )

    def _popen_kwargs(self) -> dict[str, Any]:
        home = self.path("home")
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
        }
        return {"env": env}

    def _command(self) -> list[str]:
        self.path("home").mkdir()
        self.port = free_port()
        self.driver_url = f"http://{self.host}:{self.port}"
        return [
            self.driver_binary,
            f"--port={self.port}",
            f"--log-path={self.path('chromedriver.log')}",
            "--log-level=WARNING",
        ]

    def _log_files(self) -> list[Path]:
        return [self.path("server.log"), self.path("chromedriver.log")]

    def _ready(self) -> bool:
        resp = httpx.get(f"{self.driver_url}/status", timeout=2.0)
        return resp.status_code == 200 and bool(resp.json().get("value", {}).get("ready"))

    def session(self, *extra_args: str, timeout: float = 60.0) -> WebDriverSession:
        """A new headless browser session with a fresh profile; use as a context manager or `quit()`."""
        if not self.running:
            raise ServerError("chromedriver is not running")
        self._profiles += 1
        profile = self.path(f"profile-{self._profiles}")
        options = {
            "binary": self.browser_binary,
            "args": [*CHROMIUM_ARGS, f"--user-data-dir={profile}", *extra_args],
        }
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options}
        try:
            session = WebDriverSession(self.driver_url, capabilities, timeout=timeout)
        except WebDriverError as exc:
            raise ServerError(f"chromium did not start: {exc}\n{self.log_tail()}") from exc
        self._sessions.append(session)
        return session

    def stop(self) -> None:
        for session in self._sessions:
            with contextlib.suppress(Exception):
                session.quit()
        self._sessions.clear()
        super().stop()


def running_servers() -> list[ManagedServer]:
    """The servers started and not yet stopped in this process."""
    with _LIVE_LOCK:
        return list(_LIVE)
