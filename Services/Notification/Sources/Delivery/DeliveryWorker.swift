import BazaarMail
import BazaarPostgres
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// How the worker paces itself.
struct DeliverySettings: Sendable {
    /// `DELIVERY_POLL_MILLISECONDS` (default 500): how often it looks for due emails.
    var pollInterval: Duration = .milliseconds(500)
    /// `DELIVERY_MAX_ATTEMPTS` (default 12): after that many temporary failures it gives up.
    var maximumAttempts = 12
    /// `DELIVERY_RETRY_BASE_SECONDS` (default 5): first retry delay, doubling up to an hour.
    var retryBase: Duration = .seconds(5)
    var batchSize = 20
}

/// Sends queued emails in the background, so consuming events never waits for SMTP.
///
/// Each batch locks its rows (`FOR UPDATE SKIP LOCKED`, so replicas never send one email twice)
/// and records the outcome in the same transaction: sent; retried later with back-off when the
/// server was unreachable or answered 4xx; failed when it rejected the message (5xx) or after
/// the last attempt. An email recorded as sent is never sent again.
struct DeliveryWorker: Service {
    let database: PostgresStore
    let store: NotificationStore
    let smtp: SMTPClient
    let settings: DeliverySettings
    let health: MailServerHealth
    let metricsFactory: any MetricsFactory
    let logger: Logger

    /// `notification_emails_total{outcome="sent|retry|failed"}`: what each delivery attempt ended in.
    private func count(_ outcome: String) {
        Counter(label: "notification_emails_total", dimensions: [("outcome", outcome)], factory: metricsFactory).increment()
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var sent = 0
            do {
                sent = try await deliverBatch()
            } catch {
                logger.error("delivery batch failed", metadata: ["error": .string(PostgresFailure.describe(error))])
            }
            if sent == 0 {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
                } catch {
                    return  // cancelled or shutting down
                }
            }
        }
    }

    /// Sends one batch of due emails; returns how many it handled.
    func deliverBatch() async throws -> Int {
        try await database.transaction { connection in
            let due = try await store.lockDue(limit: settings.batchSize, on: connection)
            for delivery in due {
                let message = MailMessage(from: smtp.settings.from, to: [.init(delivery.recipient)], subject: delivery.subject,
                                          text: delivery.text, html: delivery.html, messageID: "\(delivery.id.uuidString.lowercased())@bazaar")
                do {
                    try await smtp.send(message)
                    health.record(nil)
                    try await store.markSent(delivery.id, on: connection)
                    count("sent")
                } catch let error as SMTPError where error.isPermanent || delivery.attempts + 1 >= settings.maximumAttempts {
                    health.record(error)
                    logger.warning("email not delivered", metadata: ["delivery": .string(delivery.id.uuidString), "error": .string("\(error)")])
                    try await store.markFailed(delivery.id, error: String(describing: error).prefix(500).description, on: connection)
                    count("failed")
                } catch {
                    if let error = error as? SMTPError { health.record(error) }
                    let delay = min(settings.retryBase * (1 << min(delivery.attempts, 10)), .seconds(3600))
                    logger.notice("email delivery will be retried", metadata: ["delivery": .string(delivery.id.uuidString), "error": .string("\(error)"),
                                                                                "retry_in_s": .stringConvertible(delay.components.seconds)])
                    try await store.markRetry(delivery.id, after: delay, error: String(describing: error).prefix(500).description, on: connection)
                    count("retry")
                }
            }
            return due.count
        }
    }
}
