public import BazaarCore
public import Logging
public import ServiceLifecycle
import CMongoc

/// A service's connection to MongoDB: libmongoc's client pool, the threads that run its
/// blocking calls, the health check, and transactions.
///
/// Create it once per process (``ServiceHost/addMongo()`` does, from `MONGODB_URL`) and share it;
/// it is `Sendable`. Every operation takes a pooled connection, runs on one of
/// ``MongoConfiguration/poolSize`` dedicated threads (never on Swift's cooperative pool) and
/// suspends the calling task meanwhile. As a lifecycle `Service`, it shuts the threads down on
/// graceful shutdown; the pool itself is destroyed when the last reference is gone.
///
/// ```swift
/// let mongo = try host.addMongo()
/// let products = mongo.collection("products", of: Product.self)
/// host.beforeServing { try await products.createIndexes([MongoIndex(["sku": 1], unique: true)]) }
/// ```
public final class MongoClient: Service, Sendable {
    /// The configuration the client was made with.
    public let configuration: MongoConfiguration
    /// Where the client logs (shutdown, transaction retries).
    public let logger: Logger
    let pool: ClientPool
    let workers: BlockingWorkers
    let permits: AsyncPermits
    let metrics = MongoMetrics()
    let pings = SharedPing()

    /// Creates the pool (connections are opened lazily, so the server need not be up yet).
    /// - Throws: ``MongoError`` if libmongoc refuses the configuration.
    public init(configuration: MongoConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.pool = try ClientPool(configuration: configuration)
        self.workers = BlockingWorkers(count: configuration.poolSize, name: "mongodb")
        self.permits = AsyncPermits(count: configuration.poolSize)
    }

    /// Creates the client from `MONGODB_URL` and `MONGODB_POOL_SIZE`.
    /// - Throws: ``ConfigurationError`` naming the variable at fault.
    public convenience init(settings: Settings, applicationName: String? = nil, logger: Logger) throws {
        try self.init(configuration: .from(settings, applicationName: applicationName), logger: logger)
    }

    deinit {
        workers.requestShutDown()
    }

    /// Runs until graceful shutdown, then stops the driver threads (after the operations already
    /// queued finished).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutDown()
    }

    /// Stops accepting operations, lets the queued ones finish and ends the threads. Operations
    /// started afterwards throw ``MongoError/shutDown``.
    public func shutDown() async {
        await workers.shutDown()
        logger.debug("mongodb client shut down")
    }

    /// The database named by the configuration.
    public var database: MongoDatabase { MongoDatabase(client: self, name: configuration.databaseName) }

    /// Another database on the same deployment.
    public func database(named name: String) -> MongoDatabase { MongoDatabase(client: self, name: name) }

    /// The collection `name` of the configured database, holding `Document`s.
    public func collection<Document: Codable & Sendable>(_ name: String, of type: Document.Type) -> MongoCollection<Document> {
        database.collection(name, of: type)
    }

    /// The collection `name` of the configured database, its documents read and written as
    /// ``BSONDocument``s.
    public func collection(_ name: String) -> MongoCollection<BSONDocument> {
        database.collection(name)
    }

    /// Sends `ping` to the server. Concurrent pings share one round trip, and a waiting caller
    /// that is cancelled (a health probe's timeout) returns at once.
    public func ping() async throws {
        try await pings.run { [self] in
            _ = try await execute("ping", session: nil) { context in
                try LibMongoc.withDocument(try (["ping": 1] as BSONDocument).bsonBytes()) { command in
                    try LibMongoc.call { reply, error in
                        mongoc_client_command_simple(context.client, "admin", command, nil, reply, &error)
                    }
                }
            }
        }
    }

    /// The readiness check `mongodb`: required, a `ping` round trip.
    public var healthCheck: some HealthCheck { MongoHealthCheck(client: self) }

    /// Runs `body` on a driver thread with a client: the session's own inside a transaction,
    /// else one from the pool (waiting for a free one without blocking a thread). Records the
    /// operation's duration and failures as metrics.
    func execute<Result: Sendable>(
        _ operation: String, session: MongoSession?, _ body: @escaping @Sendable (OperationContext) throws -> Result
    ) async throws -> Result {
        let start = ContinuousClock.now
        do {
            let result: Result
            if let session {
                result = try await session.execute(body)
            } else {
                try await permits.acquire()
                defer { permits.release() }
                let pool = self.pool
                result = try await workers.run {
                    try pool.withClient { client in try body(OperationContext(client: client, session: nil)) }
                }
            }
            metrics.record(operation, duration: ContinuousClock.now - start, error: nil)
            return result
        } catch {
            metrics.record(operation, duration: ContinuousClock.now - start, error: error)
            throw error
        }
    }
}

extension ServiceHost {
    /// Connects to the database in `MONGODB_URL` (pool size `MONGODB_POOL_SIZE`, default 8),
    /// runs the client for the life of the service (shut down after the HTTP server drained) and
    /// reports it as the required readiness check `mongodb`.
    /// - Throws: ``ConfigurationError`` naming `MONGODB_URL` or `MONGODB_POOL_SIZE`.
    public mutating func addMongo() throws -> MongoClient {
        let client = try MongoClient(settings: settings, applicationName: name, logger: logger)
        addService(client)
        addHealthCheck(client.healthCheck)
        return client
    }
}
