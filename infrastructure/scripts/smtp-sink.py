"""A local SMTP sink for development and tests: accepts mail on loopback and keeps it as files.

Runs aiosmtpd (a real SMTP server, from the project's .venv) without TLS or authentication and
writes every accepted message into --dir as one file, ``<unix-nanoseconds>-<uuid>.eml`` (names
sort by arrival): the raw message bytes as received, preceded by two headers naming the SMTP
envelope, ``X-Bazaar-Envelope-From`` and ``X-Bazaar-Envelope-To`` (comma-separated). Each file
is written under a temporary name and renamed, so a reader never sees a partial message.

--reject-domain D (repeatable) refuses RCPT TO addresses at domain D with
``550 5.1.1 mailbox unavailable``, for tests of permanent delivery failures.

`bazaar up` and `bazaar infra` start it as the `smtp` process; tests may start it directly:

    .venv/bin/python infrastructure/scripts/smtp-sink.py --port 2525 --dir /tmp/mail

It prints one line starting with "smtp-sink listening" when it accepts connections, one line
per stored message, and exits with status 0 on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.exit("smtp-sink: aiosmtpd is not installed in this Python; install the development tools with: make deps")

REJECTED = "550 5.1.1 mailbox unavailable"


class MaildirHandler:
    """aiosmtpd handler: refuses recipients at rejected domains, stores accepted messages."""

    def __init__(self, directory, rejected_domains):
        self.directory = directory
        self.rejected_domains = {domain.lower() for domain in rejected_domains}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rpartition("@")[2].lower() in self.rejected_domains:
            return REJECTED
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        headers = (
            f"X-Bazaar-Envelope-From: {envelope.mail_from or ''}\r\n"
            f"X-Bazaar-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8")
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        try:
            self.store(name, headers + envelope.original_content)
        except OSError as error:
            print(f"smtp-sink: cannot store a message: {error}", flush=True)
            return "451 4.3.0 cannot store the message"
        print(f"smtp-sink: stored {name} from <{envelope.mail_from or ''}> to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 2.0.0 OK"

    def store(self, name, data):
        """Writes `data` as `name` atomically: a hidden temporary file, then a rename."""
        temporary = os.path.join(self.directory, f".{name}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, os.path.join(self.directory, name))
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise


async def serve(arguments):
    os.makedirs(arguments.dir, mode=0o700, exist_ok=True)
    handler = MaildirHandler(arguments.dir, arguments.reject_domain)
    loop = asyncio.get_running_loop()
    # A fixed host name: the default (socket.getfqdn()) may wait for DNS on every connection.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="bazaar-smtp-sink", enable_SMTPUTF8=True, loop=loop),
        host=arguments.host, port=arguments.port,
    )
    stop = asyncio.Event()
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    for number in stop_signals:
        loop.add_signal_handler(number, stop.set)
    # A child inherits its parent's blocked signals (a Swift program's threads block nearly all),
    # and a blocked SIGTERM would never arrive: unblock the stop signals explicitly.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    rejected = f", rejecting recipients at {', '.join(arguments.reject_domain)}" if arguments.reject_domain else ""
    print(f"smtp-sink listening on {arguments.host}:{arguments.port}, writing mail to {arguments.dir}{rejected}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()
    print("smtp-sink stopped", flush=True)


def main():
    parser = argparse.ArgumentParser(description="Local SMTP sink: stores every accepted message as an .eml file.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--dir", required=True, help="folder for the .eml files (created with mode 0700 if missing)")
    parser.add_argument("--reject-domain", action="append", default=[], metavar="DOMAIN",
                        help="refuse recipients at DOMAIN with 550 5.1.1 (repeatable)")
    try:
        asyncio.run(serve(parser.parse_args()))
    except OSError as error:  # such as the port being in use
        sys.exit(f"smtp-sink: {error}")


if __name__ == "__main__":
    main()
