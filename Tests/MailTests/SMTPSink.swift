import BazaarTestSupport
import Foundation

/// A real SMTP server of a test's own: aiosmtpd from the project venv, on a free loopback port.
///
/// It stores every accepted message as JSON in ``directory`` — the envelope plus the headers and
/// bodies as Python's `email` package decodes them, so tests check what a mail client would see
/// rather than our own encoder's view. Recipients `@reject.test` get `550`, `@defer.test` get
/// `451`; with `credentials`, it offers AUTH (over plain text, this being loopback) and accepts
/// only those.
final class SMTPSink: @unchecked Sendable {
    // `@unchecked Sendable`: `process` is only touched under `lock`; the rest is immutable.

    /// A message as the server received it.
    struct Received: Decodable, Sendable {
        var mailFrom: String
        var recipients: [String]
        var from: String
        var to: String
        var subject: String
        var messageID: String
        var text: String?
        var html: String?
        var contentTypes: [String]
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let port: Int
    let directory: URL
    private let lock = NSLock()
    private var process: Process?

    /// Starts a server and waits until it listens; the port comes from the server itself (bound
    /// to port 0), so two tests can never race for one.
    static func start(credentials: (user: String, password: String)? = nil) async throws -> SMTPSink {
        let python = TestInfrastructure.repositoryRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw StartFailure(description: "\(python.path) is missing: create the venv and pip install -r requirements-dev.txt")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        let messages = directory.appendingPathComponent("messages")
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("sink.py")
        try Data(serverScript.utf8).write(to: script)
        let portFile = directory.appendingPathComponent("port")

        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, messages.path, portFile.path] + (credentials.map { [$0.user, $0.password] } ?? [])
        // The server exits when this pipe closes, so a crashed test run leaves no server behind.
        process.standardInput = Pipe()
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try ChildProcess.launch(process)
        try? logHandle.close()

        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                let sink = SMTPSink(port: port, directory: directory, process: process)
                return sink
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await ChildProcess.waitForExit(process)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw StartFailure(description: "the SMTP sink did not start (is aiosmtpd installed in the venv?):\n\(output)")
    }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    deinit { stop() }

    /// Every message stored so far, in no particular order.
    func received() throws -> [Received] {
        let folder = directory.appendingPathComponent("messages")
        let decoder = JSONDecoder()
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .map { try decoder.decode(Received.self, from: Data(contentsOf: $0)) }
    }

    /// Kills the server (SIGKILL: a child started from a pool thread inherits its blocked
    /// signals, SIGTERM among them) and removes its directory.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { return }
        self.process = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The server; arguments: message directory, port file, optionally user and password.
private let serverScript = #"""
import asyncio, json, os, sys, threading, uuid
from email import policy
from email.parser import BytesParser
from aiosmtpd.smtp import SMTP, AuthResult

directory, port_file = sys.argv[1], sys.argv[2]
credentials = (sys.argv[3].encode(), sys.argv[4].encode()) if len(sys.argv) > 4 else None

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.endswith("@reject.test"):
            return "550 5.1.1 <%s>: recipient rejected" % address
        if address.endswith("@defer.test"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mailFrom": envelope.mail_from,
            "recipients": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "messageID": str(message["Message-ID"]),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "contentTypes": [part.get_content_type() for part in message.walk()],
        }
        name = os.path.join(directory, uuid.uuid4().hex)
        with open(name + ".tmp", "w") as file:
            json.dump(record, file)
        os.rename(name + ".tmp", name + ".json")
        return "250 Message accepted for delivery"

def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == credentials
    return AuthResult(success=ok, handled=False)

def factory():
    if credentials is None:
        return SMTP(Handler(), hostname="sink.test")
    return SMTP(Handler(), hostname="sink.test", authenticator=authenticate, auth_require_tls=False)

def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_when_parent_goes, daemon=True).start()
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0))
with open(port_file + ".tmp", "w") as file:
    file.write(str(server.sockets[0].getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
loop.run_forever()
"""#
