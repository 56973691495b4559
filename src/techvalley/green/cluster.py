"""A Spark standalone cluster on this machine: a master and workers as separate JVM processes,
started from the pyspark package (``spark-class org.apache.spark.deploy.master.Master`` and
``…worker.Worker spark://…``), bound to 127.0.0.1 on free ports, with their own temporary
directories — for the cluster test, the benchmark and trying the runbook (docs/energy.md).

Every process starts in its own process group; ``stop()`` ends each group (TERM, then KILL) so
no JVM is left behind, also when the caller fails: use it as a context manager.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ClusterError(RuntimeError):
    """The cluster did not come up: the message has the end of the process's log."""


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandaloneCluster:
    """``with StandaloneCluster(workers=1) as c: SparkEngine(..., master=c.master_url)``."""

    def __init__(self, workers: int = 1, cores: int = 1, memory: str = "1g", start_timeout: float = 120):
        self.workers, self.cores, self.memory, self.start_timeout = workers, cores, memory, start_timeout
        self.dir: Path | None = None
        self.processes: list[subprocess.Popen] = []
        self.master_url = ""

    # --- processes -------------------------------------------------------------------------

    def _env(self) -> dict:
        assert self.dir is not None
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_LOCAL_IP="127.0.0.1",
            SPARK_LOG_DIR=str(self.dir / "logs"),
            SPARK_PID_DIR=str(self.dir / "pids"),
            SPARK_WORKER_DIR=str(self.dir / "work"),
            SPARK_LOCAL_DIRS=str(self.dir / "local"),
            # Small daemons: the master and each worker process need little memory themselves.
            SPARK_DAEMON_MEMORY="256m",
        )
        env.pop("PYSPARK_GATEWAY_PORT", None)
        return env

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        assert self.dir is not None
        log = open(self.dir / "logs" / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self._env(),
            cwd=self.dir,
            start_new_session=True,  # its own process group: stop() ends the JVM and any child
        )
        proc.log_path = self.dir / "logs" / f"{name}.log"  # type: ignore[attr-defined]
        proc.log_file = log  # type: ignore[attr-defined]
        self.processes.append(proc)
        return proc

    def _wait_for(self, proc: subprocess.Popen, needle: str) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            text = proc.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
            if needle in text:
                return
            if proc.poll() is not None:
                raise ClusterError(f"{proc.args[1]} exited ({proc.returncode}):\n{text[-2000:]}")
            time.sleep(0.2)
        text = proc.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
        raise ClusterError(f"{proc.args[1]} not ready after {self.start_timeout:.0f} s:\n{text[-2000:]}")

    def start(self) -> StandaloneCluster:
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise ClusterError("Java가 없습니다 / Spark needs a Java runtime (JDK 17): apt-get install openjdk-17-jre")
        self.dir = Path(tempfile.mkdtemp(prefix="techvalley-spark-"))
        for sub in ("logs", "pids", "work", "local"):
            (self.dir / sub).mkdir()
        try:
            port = free_port()
            master = self._start(
                "master", "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port()),
            )  # fmt: skip
            self._wait_for(master, "I have been elected leader")
            self.master_url = f"spark://127.0.0.1:{port}"
            for i in range(self.workers):
                worker = self._start(
                    f"worker-{i}", "org.apache.spark.deploy.worker.Worker", self.master_url,
                    "--host", "127.0.0.1", "--port", str(free_port()), "--webui-port", str(free_port()),
                    "--cores", str(self.cores), "--memory", self.memory, "--work-dir", str(self.dir / "work"),
                )  # fmt: skip
                self._wait_for(worker, "Successfully registered with master")
        except BaseException:
            self.stop()
            raise
        return self

    def alive(self) -> list[int]:
        """Process ids of the cluster's processes (and their groups) still running."""
        out = []
        for p in self.processes:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, 0)
                out.append(p.pid)
        return out

    def stop(self, timeout: float = 20) -> None:
        """End every process group (workers first): TERM, then KILL after ``timeout`` seconds."""
        for p in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for p in reversed(self.processes):
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)  # the group: a JVM that ignored TERM, or its children
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5)
            p.log_file.close()  # type: ignore[attr-defined]
        # Killed grandchildren are reaped by init a moment later: wait until every group is empty.
        deadline = time.monotonic() + 10
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
