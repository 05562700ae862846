import CMongoc
import Synchronization

/// A client session holding one pooled connection, in which a transaction runs.
///
/// ``MongoClient/withTransaction(maxAttempts:_:)`` creates it and hands it to its body; pass it to
/// every operation that belongs to the transaction. It is only valid inside that body.
///
/// `@unchecked Sendable`: the session and its client are libmongoc objects usable by one thread
/// at a time; every use goes through ``execute(_:)``, which runs on a driver thread under a lock,
/// so operations started concurrently inside one transaction take turns.
public final class MongoSession: @unchecked Sendable {
    private let client: OpaquePointer
    private let session: OpaquePointer
    private let owner: MongoClient
    private let turn = Mutex(())
    private let ended = Atomic<Bool>(false)

    private init(client: OpaquePointer, session: OpaquePointer, owner: MongoClient) {
        self.client = client
        self.session = session
        self.owner = owner
    }

    /// Whether a transaction is open in the session right now.
    public var isInTransaction: Bool {
        get async throws {
            try await execute { context in mongoc_client_session_in_transaction(context.session) }
        }
    }

    /// Runs `body` on a driver thread with the session's client, one operation at a time.
    func execute<Result: Sendable>(_ body: @escaping @Sendable (OperationContext) throws -> Result) async throws -> Result {
        guard !ended.load(ordering: .acquiring) else {
            throw MongoError.failed(.init(domain: .transaction, code: 0, message: "the session was used after its transaction ended"))
        }
        let (client, session) = (UncheckedPointer(client), UncheckedPointer(session))
        return try await owner.workers.run { [self] in
            try turn.withLock { _ in try body(OperationContext(client: client.pointer, session: session.pointer)) }
        }
    }

    /// Takes a connection (waiting for a permit), checks that the deployment runs transactions,
    /// and starts a session on it.
    static func start(on owner: MongoClient) async throws -> MongoSession {
        try await owner.permits.acquire()
        let pool = owner.pool
        do {
            let (client, session) = try await owner.workers.run {
                let client = pool.pop()
                do {
                    try requireTransactionSupport(client)
                    var error = bson_error_t()
                    guard let session = mongoc_client_start_session(client, nil, &error) else {
                        throw MongoError(error, reply: nil)
                    }
                    return (UncheckedPointer(client), UncheckedPointer(session))
                } catch {
                    pool.push(client)
                    throw error
                }
            }
            return MongoSession(client: client.pointer, session: session.pointer, owner: owner)
        } catch {
            owner.permits.release()
            throw error
        }
    }

    /// Ends the session (aborting an open transaction) and returns its connection and permit.
    /// Runs on a driver thread, or inline when the client was already shut down.
    func end() async {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let (client, session, pool) = (UncheckedPointer(client), UncheckedPointer(session), owner.pool)
        let cleanUp: @Sendable () -> Void = { [self] in
            turn.withLock { _ in
                mongoc_client_session_destroy(session.pointer)
                pool.push(client.pointer)
            }
        }
        do {
            try await owner.workers.run(cleanUp)
        } catch {
            cleanUp()
        }
        owner.permits.release()
    }

    /// Throws ``MongoError/transactionsUnsupported(_:)`` unless the server selected for writes
    /// is a replica-set primary, a mongos or a load balancer of MongoDB 4.0 or later.
    private static func requireTransactionSupport(_ client: OpaquePointer) throws {
        var error = bson_error_t()
        guard let server = mongoc_client_select_server(client, true, nil, &error) else {
            throw MongoError(error, reply: nil)
        }
        defer { mongoc_server_description_destroy(server) }
        let type = String(cString: mongoc_server_description_type(server))
        let hello = mongoc_server_description_hello_response(server).flatMap { try? LibMongoc.read($0) }
        let wireVersion = hello?["maxWireVersion"]?.int64Value ?? 0
        let host = withUnsafeBytes(of: mongoc_server_description_host(server).pointee.host_and_port) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
        }
        if type == "Standalone" {
            throw MongoError.transactionsUnsupported(.init(
                domain: .transaction, code: 20, codeName: "IllegalOperation",
                message: "\(host) is a standalone server; multi-document transactions need a replica set (even of one member) or a sharded cluster"
            ))
        }
        if wireVersion < 7 {
            throw MongoError.transactionsUnsupported(.init(
                domain: .transaction, code: 20, codeName: "IllegalOperation",
                message: "\(host) (\(type), wire version \(wireVersion)) is older than MongoDB 4.0 and runs no multi-document transactions"
            ))
        }
    }
}

/// A libmongoc pointer carried into a job on a driver thread. Raw pointers are not `Sendable`;
/// the objects they point to are used by one thread at a time (ensured by the callers).
struct UncheckedPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
