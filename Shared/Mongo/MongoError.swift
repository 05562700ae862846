public import BazaarCore

/// An error from MongoDB or from the driver, keeping libmongoc's error domain, the server's
/// code and message, and whether trying again can help.
///
/// A unique-index violation is its own case, ``duplicateKey(_:)``, so a store can catch exactly
/// that; as a ``ProblemConvertible`` it becomes a 409 `conflict` problem, so a handler that does
/// not catch it still answers correctly.
public enum MongoError: Error, Sendable, CustomStringConvertible {
    /// A write or an index build met an existing value of a unique index (server code 11000).
    case duplicateKey(DuplicateKey)
    /// The server or the driver failed the operation.
    case failed(Failure)
    /// The server cannot run multi-document transactions (a standalone server; transactions
    /// need a replica set or a sharded cluster).
    case transactionsUnsupported(Failure)
    /// The client was shut down; no operation runs any more.
    case shutDown

    /// A libmongoc error: its domain, code and message, the server's labels and code name.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// libmongoc's error domain (`bson_error_t.domain`).
        public let domain: Domain
        /// The code: the server's error code for ``Domain/server`` and ``Domain/writeConcern``
        /// (e.g. 11000, 112 `WriteConflict`), libmongoc's own code otherwise.
        public let code: Int
        /// The server's name for the code (`DuplicateKey`), when the reply gave one.
        public let codeName: String?
        /// The message, as libmongoc or the server wrote it.
        public let message: String
        /// The server's or driver's error labels, e.g. `TransientTransactionError`.
        public let labels: [String]
        /// Whether the same operation may succeed if tried again: the server was unreachable or
        /// stepping down, a transaction conflicted, a write concern timed out.
        public let isRetriable: Bool

        /// A failure with these properties; ``isRetriable`` is derived from domain, code and labels.
        public init(domain: Domain, code: Int, codeName: String? = nil, message: String, labels: [String] = []) {
            self.domain = domain
            self.code = code
            self.codeName = codeName
            self.message = message
            self.labels = labels
            self.isRetriable = MongoError.isTransient(domain: domain, code: code, labels: labels)
        }

        /// `<domain> error <code> (<codeName>): <message>`, marked `[retriable]` when it is.
        public var description: String {
            let name = codeName.map { " (\($0))" } ?? ""
            let labelText = labels.isEmpty ? "" : " labels=\(labels.joined(separator: ","))"
            return "MongoDB \(domain) error \(code)\(name): \(message)\(labelText)" + (isRetriable ? " [retriable]" : "")
        }
    }

    /// libmongoc's error domains (`mongoc_error_domain_t`).
    public struct Domain: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The `mongoc_error_domain_t` value.
        public let rawValue: UInt32

        /// Wraps a `mongoc_error_domain_t` value.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Client-side misuse or authentication (`MONGOC_ERROR_CLIENT`).
        public static let client = Domain(rawValue: 1)
        /// Socket and connection failures (`MONGOC_ERROR_STREAM`).
        public static let stream = Domain(rawValue: 2)
        /// A malformed reply (`MONGOC_ERROR_PROTOCOL`).
        public static let `protocol` = Domain(rawValue: 3)
        /// Cursor misuse (`MONGOC_ERROR_CURSOR`).
        public static let cursor = Domain(rawValue: 4)
        /// A document libbson could not build (`MONGOC_ERROR_BSON`).
        public static let bson = Domain(rawValue: 8)
        /// An invalid database or collection name (`MONGOC_ERROR_NAMESPACE`).
        public static let namespace = Domain(rawValue: 10)
        /// An invalid command or option (`MONGOC_ERROR_COMMAND`).
        public static let command = Domain(rawValue: 11)
        /// A collection operation the driver refused (`MONGOC_ERROR_COLLECTION`).
        public static let collection = Domain(rawValue: 12)
        /// No suitable server within `serverSelectionTimeoutMS` (`MONGOC_ERROR_SERVER_SELECTION`).
        public static let serverSelection = Domain(rawValue: 15)
        /// The write concern was not satisfied (`MONGOC_ERROR_WRITE_CONCERN`).
        public static let writeConcern = Domain(rawValue: 16)
        /// The server answered with an error (`MONGOC_ERROR_SERVER`); the code is the server's.
        public static let server = Domain(rawValue: 17)
        /// A transaction in the wrong state (`MONGOC_ERROR_TRANSACTION`).
        public static let transaction = Domain(rawValue: 18)
        /// Our own errors: encoding a document, or an unexpected reply.
        public static let bazaar = Domain(rawValue: 1000)

        /// The domain's name, e.g. `server`.
        public var description: String {
            switch self {
            case .client: "client"
            case .stream: "stream"
            case .protocol: "protocol"
            case .cursor: "cursor"
            case .bson: "bson"
            case .namespace: "namespace"
            case .command: "command"
            case .collection: "collection"
            case .serverSelection: "server-selection"
            case .writeConcern: "write-concern"
            case .server: "server"
            case .transaction: "transaction"
            case .bazaar: "bazaar"
            default: "domain-\(rawValue)"
            }
        }
    }

    /// A unique-index violation.
    public struct DuplicateKey: Sendable, Hashable, CustomStringConvertible {
        /// The server's error (code 11000 and its message, which names the index).
        public let failure: Failure
        /// The unique index's key, e.g. `{"sku": 1}`, when the server reported it.
        public let keyPattern: BSONDocument?
        /// The values that already exist, e.g. `{"sku": "TSHIRT-RED-M"}`. May hold user data:
        /// log it with care and never return it to another user.
        public let keyValue: BSONDocument?

        /// The field names of the violated index (`["sku"]`), empty when the server did not say.
        public var fields: [String] { keyPattern?.fieldNames ?? [] }

        /// The server's message.
        public var description: String { failure.description }
    }

    /// The server's or driver's code (11000 for a duplicate key, 0 when shut down).
    public var code: Int {
        switch self {
        case .duplicateKey(let duplicate): duplicate.failure.code
        case .failed(let failure), .transactionsUnsupported(let failure): failure.code
        case .shutDown: 0
        }
    }

    /// The message, as the server or libmongoc wrote it.
    public var message: String {
        switch self {
        case .duplicateKey(let duplicate): duplicate.failure.message
        case .failed(let failure), .transactionsUnsupported(let failure): failure.message
        case .shutDown: "the MongoDB client was shut down"
        }
    }

    /// Whether the same operation may succeed if tried again later.
    public var isRetriable: Bool {
        switch self {
        case .failed(let failure): failure.isRetriable
        case .duplicateKey, .transactionsUnsupported, .shutDown: false
        }
    }

    /// Whether the error carries `label` (e.g. `TransientTransactionError`).
    public func hasLabel(_ label: String) -> Bool {
        switch self {
        case .duplicateKey(let duplicate): duplicate.failure.labels.contains(label)
        case .failed(let failure), .transactionsUnsupported(let failure): failure.labels.contains(label)
        case .shutDown: false
        }
    }

    /// A readable account of the error, with the server's code and message.
    public var description: String {
        switch self {
        case .duplicateKey(let duplicate): "duplicate key: \(duplicate.failure)"
        case .failed(let failure): failure.description
        case .transactionsUnsupported(let failure): "transactions are not supported by this deployment: \(failure)"
        case .shutDown: "MongoDB client error: the client was shut down"
        }
    }

    /// Server codes for conditions that pass: network trouble, elections and step-downs,
    /// shutdowns, write conflicts, exceeded time limits.
    static let transientServerCodes: Set<Int> = [
        6,      // HostUnreachable
        7,      // HostNotFound
        50,     // MaxTimeMSExpired
        89,     // NetworkTimeout
        91,     // ShutdownInProgress
        112,    // WriteConflict
        189,    // PrimarySteppedDown
        262,    // ExceededTimeLimit
        9001,   // SocketException
        10107,  // NotWritablePrimary
        11600,  // InterruptedAtShutdown
        11602,  // InterruptedDueToReplStateChange
        13435,  // NotPrimaryNoSecondaryOk
        13436,  // NotPrimaryOrSecondary
        64,     // WriteConcernFailed (wtimeout)
    ]

    static let transientLabels: Set<String> = [
        "RetryableWriteError", "TransientTransactionError", "UnknownTransactionCommitResult",
    ]

    static func isTransient(domain: Domain, code: Int, labels: [String]) -> Bool {
        if labels.contains(where: transientLabels.contains) { return true }
        switch domain {
        case .stream, .serverSelection: return true
        case .server, .writeConcern: return transientServerCodes.contains(code)
        default: return false
        }
    }
}

extension MongoError: ProblemConvertible {
    /// A duplicate key is a 409 `conflict` naming the index's fields (never their values); an
    /// unreachable or overloaded server is a 503 the client may retry; anything else is a 500
    /// whose cause is only logged.
    public var problem: ProblemError {
        switch self {
        case .duplicateKey(let duplicate):
            let fields = duplicate.fields.filter { $0 != "_id" }
            let subject = fields.isEmpty ? "the same identifier" : "the same \(fields.joined(separator: " and "))"
            return .conflict("A record with \(subject) already exists.")
        case .failed(let failure) where failure.isRetriable:
            return .serviceUnavailable("The database is temporarily unavailable; try again shortly.")
        case .shutDown:
            return .serviceUnavailable("The service is shutting down; try again shortly.")
        case .failed, .transactionsUnsupported:
            return ProblemError(status: .internalServerError, kind: "internal-error",
                                detail: "An unexpected error occurred. Quote the request id when reporting it.")
        }
    }
}
