"""A private Bazaar platform for the Python suites (the storefront in a browser, the fuzzing of every
API): `bazaar up --detach` from the build under test, in a temporary run directory, on free ports;
stopped with `bazaar down` whatever happens. Loopback only."""

import email
import email.policy
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# Every port the service registry gives a service lies in 8100-8119 (see Tools/Runtime/Registry).
SERVICE_PORTS = range(8100, 8120)


def can_bind(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port():
    # Below Linux's ephemeral range, so an outgoing connection cannot take it before the server does.
    for _ in range(500):
        port = random.randint(20000, 31999)
        if can_bind(port):
            return port
    raise RuntimeError("no free port in 20000-31999")


def free_offset():
    for _ in range(500):
        offset = random.randint(12000, 23000)
        if all(can_bind(port + offset) for port in SERVICE_PORTS):
            return offset
    raise RuntimeError("no free offset for the service ports")


def send(url, method, path, body=None, token=None, headers=None, timeout=15):
    """One JSON request to `url` + `path`: (status, parsed body, headers); an error status is an
    answer like any other. No answer at all (refused, reset, timed out) raises."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode()
            return answer.status, (json.loads(text) if text else None), dict(answer.headers)
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        return error.code, (json.loads(text) if text.startswith("{") else text), dict(error.headers)


class Platform:
    """`with Platform(launcher) as platform:` — the whole platform, built by the caller."""

    def __init__(self, launcher, environment=None):
        self.launcher = launcher
        self.environment = dict(os.environ, **(environment or {}))
        self.run_directory = tempfile.mkdtemp(prefix="bazaar-platform-")
        os.chmod(self.run_directory, 0o755)  # the gateway's workers (www-data under root) read its files
        self.choose_ports()

    def choose_ports(self):
        self.gateway_port = free_port()
        self.arguments = [
            "--run-dir", self.run_directory,
            "--postgres-port", str(free_port()), "--redis-port", str(free_port()),
            "--cart-redis-port", str(free_port()), "--mongo-port", str(free_port()),
            "--smtp-port", str(free_port()), "--gateway-port", str(self.gateway_port),
            "--service-port-offset", str(free_offset()),
        ]
        self.url = f"http://127.0.0.1:{self.gateway_port}"

    def __enter__(self):
        # A port free when chosen can be taken before the server binds it (by another test run on
        # the machine): then the platform is stopped and started again on other ports.
        for attempt in range(3):
            started = subprocess.run([self.launcher, "up", "--detach", *self.arguments], env=self.environment,
                                     capture_output=True, text=True, timeout=600)
            if started.returncode == 0:
                return self
            subprocess.run([self.launcher, "down", *self.arguments], capture_output=True, timeout=300)
            output = started.stdout + started.stderr
            if "Address already in use" not in output or attempt == 2:
                self.__exit__(None, None, None)
                raise RuntimeError(f"bazaar up failed ({started.returncode}):\n{output}")
            print(f"bazaar up found a port taken; starting again on other ports:\n{output}", file=sys.stderr)
            shutil.rmtree(self.run_directory, ignore_errors=True)
            os.makedirs(self.run_directory)
            os.chmod(self.run_directory, 0o755)
            self.choose_ports()

    def __exit__(self, *_):
        subprocess.run([self.launcher, "down", *self.arguments], capture_output=True, timeout=300)
        shutil.rmtree(self.run_directory, ignore_errors=True)

    # -- API calls from the test itself (set-up and checks), through the gateway --

    def request(self, method, path, body=None, token=None, headers=None):
        return send(self.url, method, path, body, token, headers)

    def sign_in(self, email, password):
        """An access token for `email` (the sign-in must succeed)."""
        status, body, _ = self.request("POST", "/api/auth/login", {"email": email, "password": password})
        if status != 200:
            raise AssertionError(f"signing in {email}: {status} {body}")
        return body["accessToken"]

    def administrator_password(self):
        with open(os.path.join(self.run_directory, "secrets", "admin-password")) as file:
            return file.read().strip()

    def mails(self):
        """Every message the SMTP sink received: its recipients and plain-text body, as one text."""
        folder = os.path.join(self.run_directory, "mail")
        if not os.path.isdir(folder):
            return []
        texts = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".eml"):
                with open(os.path.join(folder, name), "rb") as file:
                    message = email.message_from_binary_file(file, policy=email.policy.default)
                body = message.get_body(("plain",))
                texts.append(f"To: {message['To']}\n\n{body.get_content() if body else ''}")
        return texts


class RunningPlatform:
    """A platform someone else started (its gateway's URL and run directory), for working on a suite."""

    def __init__(self, url, run_directory):
        self.url = url
        self.run_directory = run_directory

    request = Platform.request
    sign_in = Platform.sign_in
    administrator_password = Platform.administrator_password
    mails = Platform.mails


def eventually(description, condition, timeout=60, interval=0.2):
    """Waits for a state (never a fixed time): `condition()` truthy within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {description} (last: {last!r})")
