import CMongoc
import Logging

/// Process-wide set-up of libmongoc and the bridges between Swift values and libbson's `bson_t`.
///
/// Debian builds libbson with extra alignment, so `bson_t` reaches Swift only as an opaque
/// pointer: we allocate its storage ourselves with the size and alignment the library was built
/// with, view Swift-encoded BSON bytes through it without copying (`bson_init_static`), and read
/// replies straight out of libbson's buffer into Swift values before destroying them.
enum LibMongoc {
    /// `mongoc_init` must run once per process before anything else; `mongoc_cleanup` is never
    /// called (it would have to be the last libmongoc call of the process).
    private static let initialization: Void = {
        mongoc_init()
        mongoc_log_set_handler({ level, domain, message, _ in
            LibMongoc.forwardLog(level: level, domain: domain, message: message)
        }, nil)
    }()

    /// Initialises libmongoc once; cheap after the first call.
    static func initialize() { initialization }

    /// libmongoc's own log lines go through swift-log (so they become our JSON lines) instead of
    /// being printed to standard error. The logger is made per line (they are rare) so it uses
    /// the logging system the service bootstrapped, whenever that happened.
    private static func forwardLog(level: mongoc_log_level_t, domain: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?) {
        guard let message else { return }
        let swiftLevel: Logger.Level = switch level {
        case MONGOC_LOG_LEVEL_ERROR, MONGOC_LOG_LEVEL_CRITICAL: .error
        case MONGOC_LOG_LEVEL_WARNING: .warning
        case MONGOC_LOG_LEVEL_MESSAGE, MONGOC_LOG_LEVEL_INFO: .info
        case MONGOC_LOG_LEVEL_DEBUG: .debug
        default: .trace
        }
        let domainText = domain.map { String(cString: $0) } ?? "mongoc"
        let text = String(cString: message)
        // The server aborts a transaction itself when one of its operations fails (a duplicate
        // key, a write conflict); the abort we then send is answered `NoSuchTransaction`, which
        // libmongoc reports as a warning although nothing is wrong.
        let level = text.hasPrefix("Error in abortTransaction") ? .debug : swiftLevel
        Logger(label: "mongoc").log(level: level, "libmongoc \(domainText): \(text)")
    }

    // MARK: bson_t storage

    private static let bsonSize = bazaar_bson_t_size()
    private static let bsonAlignment = bazaar_bson_t_alignment()

    /// Runs `body` with a read-only `bson_t` over `bytes` (no copy; valid only inside `body`).
    static func withDocument<Result>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> Result) throws -> Result {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bsonSize, alignment: bsonAlignment)
        defer { storage.deallocate() }
        return try bytes.withUnsafeBufferPointer { buffer in
            let document = OpaquePointer(storage)
            guard let base = buffer.baseAddress, bson_init_static(document, base, buffer.count) else {
                throw MongoError.bazaar("libbson rejected an encoded document of \(bytes.count) bytes")
            }
            // A static bson_t owns nothing: no bson_destroy needed.
            return try body(document)
        }
    }

    /// Runs `body` with an array of read-only `bson_t`s over `encoded` (the `const bson_t **`
    /// that `mongoc_collection_insert_many` takes): one buffer holds every document's bytes, one
    /// aligned block every `bson_t`.
    static func withDocuments<Result>(
        _ encoded: [[UInt8]], _ body: (UnsafeMutablePointer<OpaquePointer?>, Int) throws -> Result
    ) throws -> Result {
        let joined = encoded.flatMap { $0 }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bsonSize * encoded.count, alignment: bsonAlignment)
        defer { storage.deallocate() }
        let pointers = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: encoded.count)
        defer { pointers.deallocate() }
        return try joined.withUnsafeBufferPointer { buffer in
            var offset = 0
            for (index, bytes) in encoded.enumerated() {
                let document = OpaquePointer(storage + index * bsonSize)
                guard let base = buffer.baseAddress, bson_init_static(document, base + offset, bytes.count) else {
                    throw MongoError.bazaar("libbson rejected an encoded document of \(bytes.count) bytes")
                }
                (pointers + index).initialize(to: document)
                offset += bytes.count
            }
            return try body(pointers, encoded.count)
        }
    }

    /// Runs `body` with a heap `bson_t` copy of `bytes` that libmongoc may append to (options
    /// receive the session id this way), destroyed afterwards.
    static func withMutableDocument<Result>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let document = bytes.withUnsafeBufferPointer({ bson_new_from_data($0.baseAddress, $0.count) }) else {
            throw MongoError.bazaar("libbson rejected an encoded document of \(bytes.count) bytes")
        }
        defer { bson_destroy(document) }
        return try body(document)
    }

    /// Reads the document libbson holds at `document` (a reply or a cursor's current document).
    static func read(_ document: OpaquePointer) throws -> BSONDocument {
        guard let data = bson_get_data(document) else { throw MongoError.bazaar("libbson returned no data") }
        let raw = UnsafeRawPointer(data)
        let length = Int(Int32(littleEndian: raw.loadUnaligned(as: Int32.self)))
        return try BSONDocument(reading: UnsafeRawBufferPointer(start: raw, count: length))
    }

    /// Calls a libmongoc function that fills a reply document and an error, and returns the
    /// reply; throws the error (with the reply's details) when the function returned false.
    static func call(_ function: (_ reply: OpaquePointer, _ error: inout bson_error_t) -> Bool) throws -> BSONDocument {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bsonSize, alignment: bsonAlignment)
        defer { storage.deallocate() }
        let reply = OpaquePointer(storage)
        // Initialised first so destroying it is safe whatever path libmongoc took; libmongoc
        // re-initialises it (an inline bson_t owns no memory, so nothing leaks).
        bson_init(reply)
        defer { bson_destroy(reply) }
        var error = bson_error_t()
        guard function(reply, &error) else {
            // The driver's error is what matters; a reply that cannot be read only loses detail.
            throw MongoError(error, reply: (try? read(reply)) ?? BSONDocument())
        }
        return try read(reply)
    }

    /// Calls a libmongoc function that reports failure only through an error.
    static func call(_ function: (_ error: inout bson_error_t) -> Bool) throws {
        var error = bson_error_t()
        guard function(&error) else { throw MongoError(error, reply: nil) }
    }
}

extension MongoError {
    /// Converts libmongoc's error and the server's reply: the domain, code and message, the
    /// labels and code name, and for a duplicate key the index key and values.
    init(_ error: bson_error_t, reply: BSONDocument?) {
        let domain = Domain(rawValue: error.domain)
        let message = Self.message(of: error)
        let labels = reply?["errorLabels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // A write error names the failed document's details inside `writeErrors`.
        let detail = reply?["writeErrors"]?.arrayValue?.first?.documentValue ?? reply
        let failure = Failure(
            domain: domain, code: Int(error.code),
            codeName: detail?["codeName"]?.stringValue ?? reply?["codeName"]?.stringValue,
            message: message, labels: labels
        )
        let isServerSide = domain == .server || domain == .collection || domain == .command || domain == .writeConcern
        if isServerSide, [11000, 11001, 12582].contains(failure.code) {
            self = .duplicateKey(DuplicateKey(
                failure: failure,
                keyPattern: detail?["keyPattern"]?.documentValue,
                keyValue: detail?["keyValue"]?.documentValue
            ))
        } else if domain == .server, failure.code == 20, message.contains("Transaction numbers") {
            // IllegalOperation from a standalone server that was sent a transaction.
            self = .transactionsUnsupported(failure)
        } else {
            self = .failed(failure)
        }
    }

    /// An error of our own (an unexpected reply), in the ``Domain/bazaar`` domain.
    static func bazaar(_ message: String) -> MongoError {
        .failed(Failure(domain: .bazaar, code: 1, message: message))
    }

    private static func message(of error: bson_error_t) -> String {
        withUnsafeBytes(of: error.message) { buffer in
            let bytes = buffer.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
