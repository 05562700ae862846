import Foundation

/// A dev broker of a test's own (the project's `bazaar-broker`, built beside the tests), for
/// tests that take the broker down and bring it back, which the shared broker must not suffer.
public final class PrivateBroker: Sendable {
    private let process: Process
    /// Its bootstrap servers.
    public let brokers: [String]

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private init(process: Process, brokers: [String]) {
        self.process = process
        self.brokers = brokers
    }

    /// Starts the broker and waits (without blocking the cooperative pool) until it has created its topics.
    public static func start() async throws -> PrivateBroker {
        let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let executable = productsDirectory.appendingPathComponent("bazaar-broker")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw StartFailure(description: "\(executable.path) is missing: build it with `swift build --build-tests`")
        }
        let bootstrapFile = FileManager.default.temporaryDirectory.appendingPathComponent("private-broker-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--bootstrap-file", bootstrapFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcess.launch(process)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: bootstrapFile, encoding: .utf8), !text.isEmpty {
                return PrivateBroker(process: process, brokers: text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw StartFailure(description: "bazaar-broker did not start within 20 s")
    }

    /// Takes every broker down: connections close and new ones are refused.
    public func takeDown() { kill(process.processIdentifier, SIGUSR1) }

    /// Brings the brokers back.
    public func bringUp() { kill(process.processIdentifier, SIGUSR2) }

    /// Stops the broker and waits until it exited.
    public func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        await ChildProcess.waitForExit(process)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
