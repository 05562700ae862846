import AsyncHTTPClient
import BazaarCore
import BazaarPostgres
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Delivers the simulated provider's webhooks when they are due: signed with the webhook secret,
/// POSTed to the service's webhook route, and retried with back-off until answered 2xx (as a
/// real provider retries), each delivery at most once across replicas (rows taken with SKIP LOCKED).
struct SimulatorWebhookSender: Service {
    let database: PostgresStore
    let signature: WebhookSignature
    /// The webhook route's URL; asked when a webhook is due (the port is known once the server runs).
    let target: @Sendable () -> String
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await runBatchSweeps(every: interval, batchSize: 20, logger: logger, failure: "could not deliver simulated provider webhooks") {
            try await deliverDue()
        }
    }

    /// Sends the webhooks due now (up to 20); returns how many it tried.
    func deliverDue() async throws -> Int {
        try await database.transaction { connection in
            let rows = try await connection.query("""
                SELECT event_id, body, attempts FROM payment_simulator.webhooks
                WHERE delivered_at IS NULL AND due_at <= now() ORDER BY due_at LIMIT 20 FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var due: [(id: String, body: String, attempts: Int)] = []
            for try await row in rows.decode((String, String, Int).self) { due.append(row) }
            for webhook in due {
                let error = await send(webhook.body)
                if let error {
                    let backoff = min(30.0, 0.2 * pow(2, Double(webhook.attempts)))
                    logger.warning("simulated webhook not accepted; will retry", metadata: ["event_id": .string(webhook.id), "error": .string(error)])
                    try await connection.query("""
                        UPDATE payment_simulator.webhooks SET attempts = attempts + 1, last_error = \(error),
                               due_at = now() + make_interval(secs => \(backoff))
                        WHERE event_id = \(webhook.id)
                        """, logger: logger)
                } else {
                    try await connection.query("""
                        UPDATE payment_simulator.webhooks SET attempts = attempts + 1, delivered_at = now(), last_error = NULL
                        WHERE event_id = \(webhook.id)
                        """, logger: logger)
                }
            }
            return due.count
        }
    }

    /// POSTs `body`; nil when answered 2xx, else what went wrong.
    private func send(_ body: String) async -> String? {
        var request = HTTPClientRequest(url: target())
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: WebhookSignature.headerName, value: signature.header(for: Data(body.utf8)))
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10), logger: logger)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) { return nil }
            return "HTTP \(response.status.code): \(String(buffer: answer).prefix(300))"
        } catch {
            return "\(error)"
        }
    }
}
