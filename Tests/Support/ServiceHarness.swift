public import BazaarCore
public import BazaarContracts
import BazaarKafka
import BazaarMessaging
import Foundation
public import HTTPTypes
public import HummingbirdTesting
import NIOCore
public import PostgresNIO

/// What a service under test needs from the test infrastructure; the harness provides each and
/// sets the settings pointing at it.
public struct ServiceTestNeeds: Sendable {
    /// A fresh Postgres database (`DATABASE_URL`), dropped afterwards.
    public var postgres: Bool
    /// A MongoDB-wire server of the test's own (`MONGODB_URL` with this database), stopped afterwards.
    public var mongoDatabase: String?
    /// The shared test redis-server (`REDIS_URL`); the service's settings give its key prefix.
    public var redis: Bool
    /// The dev broker (`KAFKA_BROKERS`) with a topic prefix of the test's own.
    public var broker: Bool
    /// An SMTP sink of the test's own (`SMTP_HOST`, `SMTP_PORT`), stopped afterwards.
    public var mailSink: Bool
    /// Recipient domains the mail sink refuses (550).
    public var rejectedMailDomains: [String]
    /// Verify access tokens with the harness's ``ServiceHarness/signingKey`` (`JWT_PUBLIC_KEY`).
    public var testTokens: Bool

    /// Describes what to provide; nothing but the broker unless asked.
    public init(postgres: Bool = false, mongoDatabase: String? = nil, redis: Bool = false, broker: Bool = true, mailSink: Bool = false,
                rejectedMailDomains: [String] = [], testTokens: Bool = false) {
        self.postgres = postgres
        self.mongoDatabase = mongoDatabase
        self.redis = redis
        self.broker = broker
        self.mailSink = mailSink
        self.rejectedMailDomains = rejectedMailDomains
        self.testTokens = testTokens
    }
}

/// A real `Service`, started through its own ``BazaarService/configure(_:)`` on a live HTTP
/// server for one test body, with what it needs (``ServiceTestNeeds``) provided privately:
/// a fresh database, a MongoDB-wire server, an SMTP sink, its own topic prefix, a signing key.
///
/// Everything the harness started is stopped and removed when the body returns or throws.
/// Service-specific harnesses wrap this one and add their helpers (sign-in, sample data).
public struct ServiceHarness<Service: BazaarService>: Sendable {
    /// The client of the live server.
    public let client: any TestClientProtocol
    /// The settings the service was configured with.
    public let settings: [String: String]
    /// The prefix of every topic the service uses (`KAFKA_TOPIC_PREFIX`).
    public let topicPrefix: String
    /// The service's log lines.
    public let logs: LogCapture
    /// Routes the service serves that its OpenAPI document does not describe (see ``OpenAPICoverage``).
    public let undocumentedRoutes: [String]
    /// A key for tokens the service accepts when ``ServiceTestNeeds/testTokens`` is set.
    public let signingKey: TestSigningKey
    /// The service's own database (`DATABASE_URL`), when it needs Postgres.
    public let database: Settings?
    /// The service's own MongoDB-wire server, when it needs one.
    public let mongo: PrivateMongo?
    /// The service's own SMTP sink, when it needs one.
    public let mailSink: MailSink?

    /// `http://127.0.0.1:<port>` of the live server.
    public var baseURL: String { "http://127.0.0.1:\(client.port ?? 0)" }

    /// The name of topic `name` with this harness's prefix (`users` → `test-1a2b3c4d.users`).
    public func topic(_ name: String) -> String { topicPrefix + name }

    /// Runs `body` against the live service, configured with the settings pointing at what
    /// `needs` asked for, then `LOG_LEVEL=warning`, then `settings` (which win).
    /// - Parameter limit: How many services may run at once (see ``ConcurrencyLimit``).
    @discardableResult
    public static func run<Result: Sendable>(needs: ServiceTestNeeds, settings: [String: String] = [:], limit: ConcurrencyLimit? = nil,
                                             _ body: @escaping @Sendable (ServiceHarness) async throws -> Result) async throws -> Result {
        let started: @Sendable () async throws -> Result = {
            try await withPostgres(needs.postgres) { database in
                try await withMongo(needs.mongoDatabase != nil) { mongo in
                    try await withMailSink(needs.mailSink, rejecting: needs.rejectedMailDomains) { sink in
                        try await serve(needs: needs, database: database, mongo: mongo, sink: sink, settings: settings, body)
                    }
                }
            }
        }
        if let limit { return try await limit.run(started) }
        return try await started()
    }

    private static func serve<Result: Sendable>(needs: ServiceTestNeeds, database: Settings?, mongo: PrivateMongo?, sink: MailSink?,
                                                settings given: [String: String],
                                                _ body: @escaping @Sendable (ServiceHarness) async throws -> Result) async throws -> Result {
        let key = TestSigningKey()
        let prefix = TestKafka.uniquePrefix()
        var values = ["LOG_LEVEL": "warning"]
        if let database {
            guard let url = database.optionalString("DATABASE_URL") else { throw HarnessSetupError(description: "the test database has no URL") }
            values["DATABASE_URL"] = url
            values["DATABASE_POOL_MAX"] = "4"
        }
        if let mongo, let name = needs.mongoDatabase {
            values["MONGODB_URL"] = mongo.url(database: name, options: "retryWrites=false&serverSelectionTimeoutMS=5000")
            values["MONGODB_POOL_SIZE"] = "4"
        }
        if needs.redis { values["REDIS_URL"] = try TestInfrastructure.redisURL() }
        if needs.broker {
            values["KAFKA_BROKERS"] = try TestInfrastructure.kafkaBrokers().joined(separator: ",")
            values["KAFKA_TOPIC_PREFIX"] = prefix
            values["KAFKA_STATISTICS_INTERVAL_SECONDS"] = "0"
        }
        if let sink {
            values["SMTP_HOST"] = "127.0.0.1"
            values["SMTP_PORT"] = String(sink.port)
            values["SMTP_TLS"] = "none"
            values["SMTP_FROM_EMAIL"] = "shop@bazaar.test"
        }
        if needs.testTokens {
            values["JWT_PUBLIC_KEY"] = key.publicKeyPEM
            values["JWT_KEY_ID"] = key.keyID
        }
        values.merge(given) { _, service in service }
        let configured = values
        let logs = LogCapture()
        var host = try ServiceHost.testing(configured, logs: logs, openAPIDocument: Service.openAPIDocument)
        try await Service.configure(&host)
        guard let document = Service.openAPIDocument else {
            throw HarnessSetupError(description: "\(Service.name) has no OpenAPI document")
        }
        let undocumented = try OpenAPICoverage.undocumented(host.router, document: document)
        return try await host.makeApplication().test(.live) { client in
            // A test that shares topics between services (replicas) passes the prefix in `settings`.
            try await body(ServiceHarness(client: client, settings: configured, topicPrefix: configured["KAFKA_TOPIC_PREFIX"] ?? prefix, logs: logs, undocumentedRoutes: undocumented,
                                          signingKey: key, database: database, mongo: mongo, mailSink: sink))
        }
    }

    private static func withPostgres<Result: Sendable>(_ needed: Bool, _ body: (Settings?) async throws -> Result) async throws -> Result {
        guard needed else { return try await body(nil) }
        return try await TestDatabase.withFresh { database in try await body(database) }
    }

    private static func withMongo<Result: Sendable>(_ needed: Bool, _ body: (PrivateMongo?) async throws -> Result) async throws -> Result {
        guard needed else { return try await body(nil) }
        let mongo = try await PrivateMongo.launch()
        do {
            let result = try await body(mongo)
            await mongo.stop()
            return result
        } catch {
            await mongo.stop()
            throw error
        }
    }

    private static func withMailSink<Result: Sendable>(_ needed: Bool, rejecting domains: [String],
                                                       _ body: (MailSink?) async throws -> Result) async throws -> Result {
        guard needed else { return try await body(nil) }
        let sink = try MailSink()
        do {
            try await sink.start(rejectDomains: domains)
            let result = try await body(sink)
            await sink.stop()
            return result
        } catch {
            await sink.stop()
            throw error
        }
    }

    // MARK: Requests

    /// Sends a request: with a JSON body built from `json` (or raw text when `raw` is given), a
    /// bearer `token`, and `headers` (which win over the ones this sets).
    @discardableResult
    public func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil, raw: String? = nil, token: String? = nil,
                     headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: path, method: method, headers: headers, body: body)
    }
}

extension ServiceHarness {
    /// Publishes `payloads` to their topics (with this harness's prefix), as the other services
    /// would; `ids` gives the events' ids (a repeated id is a redelivery).
    public func publish<Payload: EventPayload>(_ payloads: [Payload], ids: [String]? = nil) async throws {
        try await TestKafka.withProducer { producer in
            for (index, payload) in payloads.enumerated() {
                let event = CloudEvent(payload, source: "bazaar/test", id: ids?[index] ?? UUID().uuidString.lowercased(), traceparent: nil, requestID: nil)
                _ = try await producer.send(outboxMessage(topic: Payload.eventType.topic.name(prefix: topicPrefix), key: event.subject, eventID: event.id,
                                                          eventType: event.type, traceparent: nil,
                                                          payload: String(decoding: try EventCodec.encode(event), as: UTF8.self)))
            }
        }
    }

    /// Runs a statement on the service's own database (to set something up, or break it on purpose).
    public func execute(_ query: PostgresQuery) async throws {
        guard let database else { throw HarnessSetupError(description: "execute(_:) needs a service with a Postgres database") }
        try await TestDatabase.execute(query, in: database)
    }

    /// Whether the service's consumer has applied (recorded in its Postgres inbox) the event `id`.
    public func processed(eventID id: String) async throws -> Bool {
        guard let database else { throw HarnessSetupError(description: "processed(eventID:) needs a service with a Postgres database") }
        return try await TestDatabase.withStore(database) { store in
            try await store.withConnection { connection in
                let rows = try await connection.query("SELECT count(*) FROM inbox WHERE event_id = \(id)", logger: store.logger)
                for try await count in rows.decode(Int.self) { return count == 1 }
                return false
            }
        }
    }
}

/// The harness could not set up what a service needs.
public struct HarnessSetupError: Error, CustomStringConvertible {
    public let description: String
}
