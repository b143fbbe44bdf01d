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
GUARDED_GLOBAL_KILL = "guarded-global-kill"
ENV_WITHOUT_RESTORE = "env-without-restore"
GLOBAL_STATE_WITHOUT_RESTORE = "global-state-without-restore"
HOME_MADE_LOCK = "home-made-lock"
OWN_SERVER_LOCK = "own-server-lock"
PARSE_ERROR = "parse-error"

#: The README section a migration finding points to.
MIGRATION_SECTION = "README, 'Migrating from your own server lock'"

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
        GUARDED_GLOBAL_KILL,
        Severity.WARNING,
        "global process kill behind an environment variable",
        "kills processes by name when the variable is set: any run that sets it kills other "
        "workers' and runs' servers",
        f"delete it and call `{SWEEP_FUNCTION}` instead: same opt-in ({GLOBAL_KILL_ENV}), but it "
        "never runs in an xdist worker and spares processes of other live runs",
    ),
    Rule(
        ENV_WITHOUT_RESTORE,
        Severity.ERROR,
        "environment variable set without restore",
        "the variable stays set for every later test in the worker: results depend on test order",
        "set it with `monkeypatch.setenv(name, value)` in the fixture or test (restored after it)",
    ),
    Rule(
        GLOBAL_STATE_WITHOUT_RESTORE,
        Severity.ERROR,
        "process-global state changed without restore",
        "changes process-wide state and never puts it back: every later test in the worker sees "
        "it, so results depend on test order",
        "restore it in the same fixture's teardown, or let the fixture that owns it do so",
    ),
    Rule(
        HOME_MADE_LOCK,
        Severity.ERROR,
        "home-made cross-process lock",
        "held by a session- or module-scoped fixture it stays taken for the rest of that worker, "
        "so the other workers wait out their retries and then skip or fail",
        f"delete the lock and mark the tests that need the resource with {SERVER_MARK}: one test "
        "at a time across workers and runs, released by the OS when a holder dies, waits reported",
    ),
    Rule(
        OWN_SERVER_LOCK,
        Severity.WARNING,
        "own server marker or lock fixture next to mmpgate's",
        "mmpgate registers the `server` marker and its lock: a marked test would take both locks",
        f"remove your marker registration and lock fixture, keep the marks ({MIGRATION_SECTION})",
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
