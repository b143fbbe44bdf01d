"""Rule `fixed-port`: server ports written as literals."""

from __future__ import annotations

import pytest

POSITIVE = {
    "command-list": """
        import subprocess
        subprocess.Popen(["mlflow", "server", "--port", "5000"])  # expect: fixed-port
    """,
    "command-list-int": """
        CMD = ["uvicorn", "app:app", "--port", str(8000)]  # expect: fixed-port
    """,
    "command-equals": """
        CMD = ["feast", "serve", "--port=6566"]  # expect: fixed-port
    """,
    "prefixed-option": """
        CMD = ["server", "--metrics-port", "9100"]  # expect: fixed-port
    """,
    "command-string": """
        import os
        os.system("mlflow server --port 5000 &")  # expect: fixed-port
    """,
    "uvicorn-run": """
        import uvicorn
        uvicorn.run("app:app", host="127.0.0.1", port=8000)  # expect: fixed-port
    """,
    "uvicorn-config-constant": """
        import uvicorn
        PORT = 8765
        config = uvicorn.Config("app:app", port=PORT)  # expect: fixed-port
    """,
    "flask-run": """
        app.run(debug=False, port=5001)  # expect: fixed-port
    """,
    "socket-bind": """
        import socket
        sock = socket.socket()
        sock.bind(("127.0.0.1", 8080))  # expect: fixed-port
    """,
    "http-server": """
        from http.server import HTTPServer
        server = HTTPServer(("localhost", 8000), None)  # expect: fixed-port
    """,
}

NEGATIVE = {
    "port-zero": """
        import subprocess, uvicorn
        subprocess.Popen(["uvicorn", "app:app", "--port", "0"])
        uvicorn.run("app:app", port=0)
        import socket
        socket.socket().bind(("127.0.0.1", 0))
    """,
    "port-from-a-fixture": """
        import subprocess
        def test_x(free_port):
            subprocess.Popen(["mlflow", "server", "--port", str(free_port)])
    """,
    "client-connects": """
        import psycopg
        psycopg.connect(host="db", port=5432)
    """,
    "text-mentions-a-port": """
        HELP = "start it with --port 5000 if you must"
    """,
}


@pytest.mark.parametrize("source", POSITIVE.values(), ids=POSITIVE.keys())
def test_fixed_port_found(check_snippet, source):
    """A literal, non-zero port handed to a server is reported at that line."""
    check_snippet(source)


@pytest.mark.parametrize("source", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_free_ports_not_reported(check_snippet, source):
    """Port 0, ports from variables, client connections and plain text are not reported."""
    check_snippet(source)
