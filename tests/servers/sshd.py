"""A throwaway OpenSSH server on 127.0.0.1 with its own host key, client key and config.

Runs Debian's /usr/sbin/sshd in the foreground (-D) on a free port; only the
generated client key logs in, as the current user. `ssh_command` is what rsync
(or git) must run to reach it.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from servers.ports import free_port, stop, wait_until


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    ssh_command: str
    """ssh with the client key and no host-key prompts."""


@contextmanager
def sshd(folder: Path) -> Iterator[SshServer]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("host_key", "client_key"):
        _keygen(folder / name)
    shutil.copyfile(folder / "client_key.pub", folder / "authorized_keys")
    port, user = free_port(), getpass.getuser()
    config = folder / "sshd_config"
    config.write_text(_CONFIG.format(port=port, folder=folder, user=user), encoding="utf-8")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    log = folder / "sshd.log"
    server = shutil.which("sshd") or "/usr/sbin/sshd"
    with log.open("wb") as output:
        process = subprocess.Popen([server, "-D", "-e", "-f", str(config)], stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: _banner(port), 15, process, log)
        yield SshServer(port, user, _client(folder / "client_key"))
    finally:
        stop(process)


_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host_key
PidFile {folder}/sshd.pid
AuthorizedKeysFile {folder}/authorized_keys
AllowUsers {user}
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
LogLevel ERROR
"""


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "folio-test", "-f",
                    str(path)], check=True, timeout=30, stdin=subprocess.DEVNULL)


def _client(key: Path) -> str:
    return shlex.join([
        "ssh", "-F", "/dev/null", "-i", str(key), "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
    ])


def _banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            return connection.recv(4).startswith(b"SSH-")
    except OSError:
        return False
