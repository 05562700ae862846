public import Foundation

/// A private SMTP sink for one test: the project's `smtp-sink.py` (aiosmtpd) on a free port,
/// writing each message to its own directory; can be stopped and started again on the same port.
public final class MailSink: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private var process: Process?

    public init() throws {
        port = try LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the sink and waits until it accepts connections; `rejectDomains` get 550.
    public func start(rejectDomains: [String] = []) async throws {
        let root = TestInfrastructure.repositoryRoot
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent("infrastructure/scripts/smtp-sink.py").path, "--host", "127.0.0.1", "--port", String(port),
                             "--dir", directory.path] + rejectDomains.flatMap { ["--reject-domain", $0] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcess.launch(process)
        self.process = process
        for _ in 0..<100 {
            if LoopbackPort.accepts(port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SinkError(description: "the SMTP sink did not start on port \(port)")
    }

    public func stop() async {
        guard let process, process.isRunning else { return }
        process.terminate()
        await ChildProcess.waitForExit(process)
        self.process = nil
    }

    /// The messages received so far, oldest first.
    public func messages() throws -> [ReceivedMail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { try ReceivedMail(Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// Waits until at least `count` messages arrived (or the timeout passed) and returns them.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = try messages()
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try messages()
    }

    deinit {
        process?.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    public struct SinkError: Error, CustomStringConvertible {
        public let description: String
    }
}

/// A received email (an `.eml` file as the sink writes it), with its base64 MIME parts decoded.
public struct ReceivedMail: Sendable {
    public let headers: [String: String]
    public let text: String
    public let html: String

    public var subject: String { headers["subject"].map(Self.decodeEncodedWords) ?? "" }
    public var to: String { headers["to"] ?? "" }

    public init(_ data: Data) throws {
        let raw = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let (head, body) = Self.split(raw)
        headers = Self.parseHeaders(head)
        var text = "", html = ""
        if let type = headers["content-type"], let boundary = type.components(separatedBy: "boundary=\"").dropFirst().first?.split(separator: "\"").first {
            for part in body.components(separatedBy: "--\(boundary)").dropFirst() where !part.hasPrefix("--") {
                let (partHead, partBody) = Self.split(part.trimmingCharacters(in: .newlines))
                let partHeaders = Self.parseHeaders(partHead)
                let decoded = Data(base64Encoded: partBody.components(separatedBy: .whitespacesAndNewlines).joined()).map { String(decoding: $0, as: UTF8.self) } ?? partBody
                if partHeaders["content-type"]?.hasPrefix("text/html") == true { html = decoded } else { text = decoded }
            }
        } else {
            text = Data(base64Encoded: body.components(separatedBy: .whitespacesAndNewlines).joined()).map { String(decoding: $0, as: UTF8.self) } ?? body
        }
        self.text = text
        self.html = html
    }

    static func split(_ text: String) -> (String, String) {
        guard let range = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    static func parseHeaders(_ head: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in head.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    static func decodeEncodedWords(_ text: String) -> String {
        guard text.hasPrefix("=?utf-8?B?"), text.hasSuffix("?=") else { return text }
        let encoded = text.dropFirst("=?utf-8?B?".count).dropLast(2)
        return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } ?? text
    }
}
