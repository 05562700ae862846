public import Foundation

/// What a process of the runtime is, which decides its stop order and how its health is checked.
public enum ProcessKind: String, Codable, Sendable {
    /// The `bazaar` launcher supervising everything else.
    case launcher
    /// Postgres and other stores and brokers; required, started first, stopped last.
    case infrastructure
    /// A platform service.
    case service
    /// The nginx gateway; started last, stopped first.
    case gateway
}

/// One process of a run, as recorded in the state file.
public struct ProcessRecord: Codable, Sendable, Equatable {
    /// Display name, such as `postgres`, `order` or `gateway`.
    public var name: String
    /// Operating-system process id.
    public var pid: Int32
    /// What the process is.
    public var kind: ProcessKind
    /// Port it serves on 127.0.0.1, if any.
    public var port: Int?
    /// Kernel start time of the process (Linux `/proc/<pid>/stat` field 22), so a recycled pid is
    /// never mistaken for ours; nil where it cannot be read.
    public var startTime: UInt64?

    /// Creates a record.
    public init(name: String, pid: Int32, kind: ProcessKind, port: Int? = nil, startTime: UInt64? = nil) {
        self.name = name
        self.pid = pid
        self.kind = kind
        self.port = port
        self.startTime = startTime
    }
}

/// The state file (`<run-dir>/state.json`): which launcher runs, in which phase, with which children.
public struct RunState: Codable, Sendable, Equatable {
    /// Where a run is in its life.
    public enum Phase: String, Codable, Sendable {
        /// Starting infrastructure and services.
        case starting
        /// Everything is up; the summary has been printed.
        case ready
        /// Stopping children.
        case stopping
        /// Stopped after a request (Ctrl-C, `bazaar down`).
        case stopped
        /// Stopped because something failed; see ``RunState/failure``.
        case failed
    }

    /// The launcher supervising the run.
    public var launcher: ProcessRecord
    /// Which subcommand started the run.
    public var mode: RuntimeMode
    /// Current phase.
    public var phase: Phase
    /// Why the run failed, when ``phase`` is ``Phase/failed``.
    public var failure: String?
    /// Children in start order.
    public var processes: [ProcessRecord]
    /// Postgres port of the run.
    public var postgresPort: Int
    /// Gateway port of the run (used by `up` only).
    public var gatewayPort: Int
    /// When this record was last written.
    public var updatedAt: Date

    /// Creates the state of a run that is starting now.
    public init(launcher: ProcessRecord, mode: RuntimeMode, settings: RuntimeSettings) {
        self.launcher = launcher
        self.mode = mode
        phase = .starting
        failure = nil
        processes = []
        postgresPort = settings.postgresPort
        gatewayPort = settings.gatewayPort
        updatedAt = Date()
    }

    /// The launcher followed by its children: everything `bazaar down` may have to stop.
    public var allProcesses: [ProcessRecord] { [launcher] + processes }
}

/// Reads and atomically writes the state file.
public struct RunStateStore: Sendable {
    /// Location of the state file.
    public let file: URL

    /// A store for the state file of `runDirectory`.
    public init(runDirectory: RunDirectory) {
        file = runDirectory.stateFile
    }

    /// The recorded state, or nil when no run has written one.
    public func load() throws -> RunState? {
        guard let text = try FileSystem.readIfPresent(file) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(RunState.self, from: Data(text.utf8))
        } catch {
            throw RuntimeError.fileProblem(path: RunDirectory.path(of: file), reason: "unreadable state file (\(error)); delete it if no runtime is running")
        }
    }

    /// Replaces the state file with `state`.
    public func save(_ state: RunState) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(state)
        try FileSystem.writeAtomically(String(decoding: data, as: UTF8.self) + "\n", to: file, mode: 0o644)
    }
}
