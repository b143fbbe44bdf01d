"""The catalogue of `mmpgate doctor` rules: ids are stable, kebab-case and documented."""

from __future__ import annotations

from mmpgate.doctor.model import Rule, Severity

#: mmpgate's own wide-scoped server fixtures (defined in its plugin, never in scanned files).
PLUGIN_SERVER_FIXTURES = {"module_server_factory": "module", "session_server_factory": "session"}

#: Names of the mmpgate features each fix points to (one place to keep them in step with the plugin).
SERVER_MARK = "@pytest.mark.server"
SERVER_FIXTURE = "server_factory"
TRACKING_FIXTURE = "mlflow_tracking_uri"
SWEEP_FUNCTION = "mmpgate.stabilize.globalkill.sweep_if_enabled()"
GLOBAL_KILL_ENV = "MMP_ENABLE_GLOBAL_KILL=1"

GLOBAL_KILL = "global-kill"
SHARED_TRACKING_STORE = "shared-tracking-store"
SHARED_DATABASE = "shared-database"
FIXED_PORT = "fixed-port"
SHARED_SCRATCH_DIR = "shared-scratch-dir"
SLEEP_AFTER_START = "sleep-after-start"
TERMINATE_TOP_ONLY = "terminate-top-only"
UNMARKED_SERVER_FIXTURE = "unmarked-server-fixture"
PARSE_ERROR = "parse-error"

_CATALOGUE: tuple[Rule, ...] = (
    Rule(
        GLOBAL_KILL,
        Severity.ERROR,
        "global process kill by name",
        "finds or kills processes by name or command line across the machine: other workers' servers die too",
        f"delete it: start servers with the `{SERVER_FIXTURE}` fixture, which stops its own process "
        f"group; if a sweep is still needed, call `{SWEEP_FUNCTION}` (opt-in with {GLOBAL_KILL_ENV})",
    ),
    Rule(
        SHARED_TRACKING_STORE,
        Severity.ERROR,
        "shared MLflow tracking store",
        "MLflow tracking URI is a fixed literal: every worker and run shares one store",
        f"take the tracking URI from the `{TRACKING_FIXTURE}` fixture (one store per test, in its "
        "tmp dir)",
    ),
    Rule(
        SHARED_DATABASE,
        Severity.ERROR,
        "shared SQLite database",
        "SQLite database at a fixed path: concurrent workers hit 'database is locked'",
        "build the path from `tmp_path` / `tmp_path_factory` (one database per test or per worker)",
    ),
    Rule(
        FIXED_PORT,
        Severity.ERROR,
        "fixed server port",
        "server started on a fixed port: a second worker or run gets 'address already in use'",
        f"let the server bind port 0 and read the port back: use the `{SERVER_FIXTURE}` fixture",
    ),
    Rule(
        SHARED_SCRATCH_DIR,
        Severity.ERROR,
        "fixed scratch directory",
        "fixed path is written and deleted: every worker and run shares it and deletes the others' files",
        "use `tmp_path` / `tmp_path_factory` in tests, `tempfile.mkdtemp()` in code under test",
    ),
    Rule(
        SLEEP_AFTER_START,
        Severity.WARNING,
        "sleep instead of a readiness check",
        "sleeps after starting a process instead of waiting until it is ready",
        f"poll a readiness check (HTTP GET, TCP connect, log line) with a timeout: the "
        f"`{SERVER_FIXTURE}` fixture does this and fails fast if the process exits",
    ),
    Rule(
        TERMINATE_TOP_ONLY,
        Severity.WARNING,
        "stops the top process only",
        "stops a started process with terminate()/kill() of the top process only: its children live on",
        "start it with `start_new_session=True` and stop it with `os.killpg` (SIGTERM, grace, "
        f"SIGKILL), or use the `{SERVER_FIXTURE}` fixture",
    ),
    Rule(
        UNMARKED_SERVER_FIXTURE,
        Severity.WARNING,
        "wide-scoped server fixture used by an unmarked test",
        "test uses a session- or module-scoped server fixture but is not marked `server`",
        f"mark the test (or its module: `pytestmark = pytest.mark.server`) with {SERVER_MARK}, so "
        "server tests run one at a time across workers",
    ),
    Rule(
        PARSE_ERROR,
        Severity.ERROR,
        "file does not parse",
        "file cannot be read or parsed as Python, so it was not checked",
        "fix the syntax (or encoding) error, or exclude the file in `[tool.mmpgate.doctor] exclude`",
    ),
)

#: Every rule by id, in documentation order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOGUE}
