import BazaarContracts
import BazaarCore
import BazaarKafka
@testable import BazaarNotification
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("notifications")
struct NotificationTests {
    @Test("user.registered gives one welcome email to the new user, with subject and body")
    func welcome() async throws {
        try await NotificationHarness.run { service in
            try await service.publish([Samples.registered("u-ada", email: "ada@example.com", name: "Ada Lovelace")])
            let mail = try await service.sink.waitForMessages(1)
            #expect(mail.count == 1)
            let welcome = try #require(mail.first)
            #expect(welcome.to.contains("ada@example.com"))
            #expect(welcome.subject == "Welcome to Bazaar, Ada Lovelace")
            #expect(welcome.text.contains("Hello Ada Lovelace"))
            #expect(welcome.html.contains("<p>Hello Ada Lovelace,</p>"))
        }
    }

    @Test("every event type renders and sends its email, money with its currency")
    func everyEventType() async throws {
        try await NotificationHarness.run { service in
            try await service.publish([Samples.registered("u-1", email: "ada@example.com", name: "Ada"),
                                       Samples.registered("u-admin", email: "admin@example.com", name: "Grace", role: "admin")])
            _ = try await service.sink.waitForMessages(2)
            try await service.publish([try Samples.resetRequested("u-1", email: "ada@example.com", token: "tok-123")])
            try await service.publish([OrderConfirmed(orderId: "o-1", userId: "u-1", email: "ada@example.com", lines: Samples.lines,
                                                      subtotal: Money(minorUnits: 9_980, currency: "EUR"), shippingCost: Money(minorUnits: 495, currency: "EUR"),
                                                      vatIncluded: Money(minorUnits: 1_673, currency: "EUR"), total: Money(minorUnits: 10_475, currency: "EUR"), shippingAddress: Samples.address, paymentId: "pay-1",
                                                      confirmedAt: Date())])
            try await service.publish([OrderCancelled(orderId: "o-2", userId: "u-1", email: "ada@example.com", reason: .outOfStock, lines: Samples.lines,
                                                      total: Money(minorUnits: 9_980, currency: "EUR"), refundDue: true, cancelledAt: Date())])
            try await service.publish([PaymentFailed(paymentId: "pay-2", orderId: "o-3", userId: "u-1", amount: Money(minorUnits: 1_999, currency: "GBP"),
                                                     reasonCode: "card_declined", message: "Your card was declined.", failedAt: Date())])
            try await service.publish([PaymentRefunded(paymentId: "pay-1", refundId: "r-1", orderId: "o-2", userId: "u-1",
                                                       amount: Money(minorUnits: 9_980, currency: "EUR"), refundedAt: Date())])
            try await service.publish([StockLow(sku: "CBL-1", available: 3, threshold: 10, occurredAt: Date())])
            try await service.publish([OrderShipped(orderId: "o-1", userId: "u-1", email: "ada@example.com", carrier: "DHL <Express>",
                                                    trackingNumber: "JJD000390007", shippedAt: Date())])
            let mail = try await service.sink.waitForMessages(9, timeout: .seconds(40))
            let bySubject = Dictionary(mail.map { ($0.subject, $0) }, uniquingKeysWith: { first, _ in first })
            let reset = try #require(bySubject["Reset your Bazaar password"])
            // In the fragment, which browsers never send to a server (no access log sees it).
            #expect(reset.text.contains("http://localhost:8080/reset-password#token=tok-123"))
            let confirmed = try #require(bySubject["Your order o-1 is confirmed"])
            #expect(confirmed.text.contains("2 x Installation cable 3×1.5 mm², 50 m (CBL-1) at €49.90 = €99.80"))
            #expect(confirmed.text.contains("Total:    €104.75"))
            #expect(confirmed.text.contains("12 Market Street"))
            #expect(confirmed.html.contains("€104.75"))
            let cancelled = try #require(bySubject["Your order o-2 was cancelled"])
            #expect(cancelled.text.contains("Some items in your order are no longer in stock."))
            #expect(cancelled.text.contains("being refunded"))
            let failed = try #require(bySubject["We could not take payment for order o-3"])
            #expect(failed.text.contains("£19.99") && failed.text.contains("Your card was declined.") && failed.text.contains("What to do next"))
            let refunded = try #require(bySubject["Your refund for order o-2"])
            #expect(refunded.text.contains("€99.80"))
            let stock = try #require(bySubject["Low stock: CBL-1 (3 left)"])
            #expect(stock.to.contains("admin@example.com"))
            #expect(mail.filter { $0.subject.hasPrefix("Low stock") }.count == 1)
            let shipped = try #require(bySubject["Your order o-1 is on its way"])
            #expect(shipped.text.contains("with DHL <Express>. Its tracking number is JJD000390007."))
            #expect(shipped.html.contains("DHL &lt;Express&gt;"))
            // Once sent, the reset email's body (its link) is gone from the delivery log; others keep theirs.
            let bodies = try await eventuallyValue("all nine deliveries recorded as sent") { () -> [(template: String, text: String)]? in
                let found = try await TestDatabase.withStore(service.database) { store in
                    try await store.withConnection { connection in
                        var found: [(template: String, text: String)] = []
                        let rows = try await connection.query("SELECT template, body_text FROM deliveries WHERE status = 'sent'", logger: store.logger)
                        for try await (template, body) in rows.decode((String, String).self) { found.append((template, body)) }
                        return found
                    }
                }
                return found.count == 9 ? found : nil
            }
            #expect(bodies.filter { $0.template == "password-reset" }.map(\.text) == [""])
            #expect(bodies.filter { $0.template != "password-reset" }.allSatisfy { $0.text.contains("Hello") })
        }
    }

    @Test("the same event delivered twice gives one email")
    func duplicateEvent() async throws {
        try await NotificationHarness.run { service in
            let event = Samples.registered("u-dup", email: "dup@example.com")
            try await service.publish([event, event], ids: ["same-event-id", "same-event-id"])
            try await service.publish([Samples.registered("u-other")])
            let mail = try await service.sink.waitForMessages(3, timeout: .seconds(10))
            #expect(mail.filter { $0.to.contains("dup@example.com") }.count == 1)
            #expect(mail.count == 2)
        }
    }

    @Test("publishing nothing, the service has no outbox table and runs no outbox relay")
    func noOutbox() async throws {
        try await NotificationHarness.run { service in
            // Once an event has been consumed, the background work (consumers, and a relay if
            // there were one) has started.
            try await service.publish([Samples.registered("u-quiet", email: "quiet@example.com")])
            _ = try await service.sink.waitForMessages(1, timeout: .seconds(30))
            let tables = try await TestDatabase.withStore(service.database) { store in
                try await store.withConnection { connection in
                    let rows = try await connection.query("SELECT to_regclass('outbox')::text, to_regclass('inbox')::text", logger: store.logger)
                    var found: [String?] = []
                    for try await (outbox, inbox) in rows.decode((String?, String?).self) { found = [outbox, inbox] }
                    return found
                }
            }
            #expect(tables == [nil, "inbox"])
            let metrics = try await service.client.execute(uri: "/metrics", method: .get).text
            #expect(!metrics.contains("outbox_"), "\(metrics)")
        }
    }

    @Test("with the SMTP server down nothing is lost: the email is sent once it is back, and consuming goes on meanwhile")
    func smtpOutage() async throws {
        try await NotificationHarness.run { service in
            await service.sink.stop()
            try await service.publish([Samples.registered("u-late", email: "late@example.com")])
            let admin = try await service.token(for: "admin", role: .admin)
            // Restart the sink only once a delivery attempt has really failed (a loaded machine may
            // take a while to join the group and consume), so the test proves the retry.
            let failedAttempt = try await eventuallyValue("a failed delivery attempt") { () -> [String: Any]? in
                let items = try await service.get("/api/notifications/deliveries", token: admin).jsonObject()["items"] as? [[String: Any]] ?? []
                return items.first { ($0["attempts"] as? Int ?? 0) >= 1 && $0["status"] as? String == "pending" }
            }
            #expect(failedAttempt["lastError"] as? String != nil)
            // Readiness names the mail server as down, but the service stays ready (emails wait).
            let degraded = try await service.client.execute(uri: "/health/ready", method: .get)
            #expect(degraded.status == .ok)
            let smtpDown = try degraded.jsonObject()["checks"] as? [String: [String: Any]]
            #expect(smtpDown?["smtp"]?["status"] as? String == "disconnected" && smtpDown?["smtp"]?["required"] as? Bool == false)
            try await service.sink.start()
            let mail = try await service.sink.waitForMessages(1, timeout: .seconds(30))
            #expect(mail.map(\.to).contains { $0.contains("late@example.com") })
            // The sink has the message a moment before the worker hears the server's answer and
            // commits the delivery as sent; readiness and the counter change just before that commit.
            let item = try await eventuallyValue("the delivery log to show the email sent") { () -> [String: Any]? in
                let items = try await service.get("/api/notifications/deliveries", token: admin).jsonObject()["items"] as? [[String: Any]] ?? []
                return items.first { $0["status"] as? String == "sent" }
            }
            #expect((item["attempts"] as? Int ?? 0) >= 2)
            let checks = try await service.client.execute(uri: "/health/ready", method: .get).jsonObject()["checks"] as? [String: [String: Any]]
            #expect(checks?["smtp"]?["status"] as? String == "connected")
            let metrics = try await service.client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"notification_emails_total{outcome="retry"}"#), "\(metrics)")
            #expect(metrics.contains(#"notification_emails_total{outcome="sent"} 1"#))
        }
    }

    @Test("a permanent rejection is marked failed; an administrator can retry it")
    func permanentRejection() async throws {
        try await NotificationHarness.run(rejectDomains: ["rejected.test"]) { service in
            try await service.publish([Samples.registered("u-bad", email: "nobody@rejected.test")])
            let admin = try await service.token(for: "admin", role: .admin)
            let item = try await eventuallyValue("the rejected delivery marked failed") {
                (try await service.get("/api/notifications/deliveries?status=failed", token: admin).jsonObject()["items"] as? [[String: Any]])?.first
            }
            #expect((item["lastError"] as? String)?.contains("550") == true)
            let id = try #require(item["id"] as? String)
            let retry = try await service.client.execute(uri: "/api/notifications/deliveries/\(id)/retry", method: .post, headers: [.authorization: "Bearer \(admin)"])
            #expect(retry.status == .accepted)
            let customer = try await service.token(for: "u-bad")
            #expect(try await service.client.execute(uri: "/api/notifications/deliveries", method: .get, headers: [.authorization: "Bearer \(customer)"]).status == .forbidden)
            let unknownStatus = try await service.client.execute(uri: "/api/notifications/deliveries?status=lost", method: .get,
                                                                  headers: [.authorization: "Bearer \(admin)"])
            #expect(unknownStatus.status == .badRequest)
        }
    }

    @Test("a reset token that does not open (another key, moved into another user's event, redirected to another mailbox, given a later expiry) sends nothing and is dead-lettered")
    func unsealableResetToken() async throws {
        try await NotificationHarness.run { service in
            try await service.publish([Samples.registered("u-a", email: "a@example.com"), Samples.registered("u-b", email: "b@example.com")])
            _ = try await service.sink.waitForMessages(2)
            var foreignKey = try Samples.resetRequested("u-a", email: "a@example.com", token: "tok-foreign")
            foreignKey.sealedResetToken = try SecretSealer(key: String(repeating: "other-key-", count: 4))
                .seal("tok-foreign", context: foreignKey.sealingContext)
            var moved = try Samples.resetRequested("u-a", email: "a@example.com", token: "tok-moved")
            moved.sealedResetToken = try Samples.resetRequested("u-b", email: "b@example.com", token: "tok-moved").sealedResetToken
            var redirected = try Samples.resetRequested("u-b", email: "b@example.com", token: "tok-redirected")
            redirected.email = "attacker@example.com"
            var extended = try Samples.resetRequested("u-b", email: "b@example.com", token: "tok-extended")
            extended.expiresAt = extended.expiresAt.addingTimeInterval(86_400)
            try await service.publish([foreignKey, moved, redirected, extended])
            let dead = try await TestKafka.collect([service.topicPrefix + "users.dlq"], count: 4, timeout: .seconds(40))
            #expect(dead.count == 4)
            try await service.publish([try Samples.resetRequested("u-b", email: "b@example.com", token: "tok-good")])
            let mail = try await service.sink.waitForMessages(3)
            let resets = mail.filter { $0.subject == "Reset your Bazaar password" }
            #expect(resets.count == 1 && resets.first?.to.contains("b@example.com") == true)
            #expect(resets.first?.text.contains("token=tok-good") == true)
            #expect(!mail.contains { ["tok-foreign", "tok-moved", "tok-redirected", "tok-extended"].contains(where: $0.text.contains) })
            #expect(!mail.contains { $0.to.contains("attacker@example.com") })
        }
    }

    @Test("a malformed event goes to the dead-letter topic and the consumer carries on")
    func malformedEvent() async throws {
        try await NotificationHarness.run(["KAFKA_SESSION_TIMEOUT_SECONDS": "6"]) { service in
            try await TestKafka.withProducer { producer in
                _ = try await producer.send(KafkaOutgoingMessage(topic: service.topicPrefix + "users", key: "u-x", value: Array(#"{"type":"bazaar.user.registered.v1","oops":true}"#.utf8),
                                                                 headers: [("ce_type", Array("bazaar.user.registered.v1".utf8))]))
            }
            try await service.publish([Samples.registered("u-after", email: "after@example.com")])
            let dead = try await TestKafka.collect([service.topicPrefix + "users.dlq"], count: 1, timeout: .seconds(40))
            #expect(dead.count == 1)
            let mail = try await service.sink.waitForMessages(1)
            #expect(mail.first?.to.contains("after@example.com") == true)
        }
    }

    @Test("the feed shows a user what was sent to them, newest first, and nobody else's")
    func feed() async throws {
        try await NotificationHarness.run { service in
            #expect(service.undocumentedRoutes.isEmpty, "not in openapi.json: \(service.undocumentedRoutes)")
            try await service.publish([Samples.registered("u-feed", email: "feed@example.com"), Samples.registered("u-other", email: "other@example.com")])
            _ = try await service.sink.waitForMessages(2)
            let token = try await service.token(for: "u-feed")
            // The sink has the message a moment before the worker commits it as sent.
            let items = try await eventuallyValue("the sent email in the feed") { () -> [[String: Any]]? in
                let items = try await service.get("/api/notifications", token: token).jsonObject()["items"] as? [[String: Any]] ?? []
                return items.isEmpty ? nil : items
            }
            #expect(items.count == 1)
            #expect(items.first?["recipient"] as? String == "feed@example.com")
            #expect(try await service.client.execute(uri: "/api/notifications", method: .get).status == .unauthorized)
        }
    }
}

@Suite("live stream")
struct LiveStreamTests {
    @Test("the stream sends a user their own order and payment events with heartbeats, and never another user's")
    func ownEventsOnly() async throws {
        try await NotificationHarness.run(["NOTIFICATION_STREAM_HEARTBEAT_SECONDS": "1"]) { service in
            let token = try await service.token(for: "u-live")
            #expect(try await service.client.execute(uri: "/api/notifications/stream", method: .get).status == .unauthorized)
            let output = try await Self.streamOutput(of: service, userID: "u-live", curl: ["-H", "Authorization: Bearer \(token)"])
            #expect(output.contains(": connected"))
            #expect(output.contains("event: bazaar.payment.failed.v1"), "\(output)")
            #expect(output.contains("o-own"))
            #expect(!output.contains("o-other"))
            #expect(output.contains(": heartbeat"))
        }
    }

    @Test("without an Authorization header (a browser's EventSource) a single-use, short-lived ticket opens the stream")
    func ticket() async throws {
        try await NotificationHarness.run(["NOTIFICATION_STREAM_TICKET_SECONDS": "8", "NOTIFICATION_STREAM_HEARTBEAT_SECONDS": "1"]) { service in
            let tickets = "/api/notifications/stream/tickets"
            #expect(try await service.client.execute(uri: tickets, method: .post).status == .unauthorized)
            let token = try await service.token(for: "u-browser")
            func issue() async throws -> String {
                let issued = try await service.client.execute(uri: tickets, method: .post, headers: [.authorization: "Bearer \(token)"])
                #expect(issued.status == .created)
                #expect(issued.headers[.cacheControl] == "no-store")
                let body = try issued.jsonObject()
                #expect(body["expiresIn"] as? Int == 8)
                return try #require(body["ticket"] as? String)
            }
            let ticket = try await issue()
            let unused = try await issue()
            let output = try await Self.streamOutput(of: service, userID: "u-browser", query: "?ticket=\(ticket)")
            #expect(output.contains("o-own"), "\(output)")
            #expect(!output.contains("o-other"))
            // Spent, forged, malformed: all 401; and, once its 8 s are over, the unused one.
            for refused in [ticket, String(repeating: "A", count: 43), "x"] {
                let response = try await service.client.execute(uri: "/api/notifications/stream?ticket=\(refused)", method: .get)
                #expect(response.status == .unauthorized, "\(refused)")
            }
            // Postgres's clock decides expiry: wait until it says both tickets are past theirs.
            try await eventually("the unused ticket to expire") {
                try await TestDatabase.withStore(service.database) { store in
                    try await store.withConnection { connection in
                        var live = -1
                        let rows = try await connection.query("SELECT count(*)::int FROM stream_tickets WHERE expires_at > now()", logger: store.logger)
                        for try await count in rows.decode(Int.self) { live = count }
                        return live == 0
                    }
                }
            }
            for refused in [unused] {
                let response = try await service.client.execute(uri: "/api/notifications/stream?ticket=\(refused)", method: .get)
                #expect(response.status == .unauthorized, "\(refused)")
            }
        }
    }

    /// A `curl -N` reading the stream with `token` (or `ticket`), once it has connected.
    static func openStream(_ service: NotificationHarness, token: String? = nil, ticket: String? = nil) async throws -> RunningChildProcess {
        let url = "\(service.baseURL)/api/notifications/stream" + (ticket.map { "?ticket=\($0)" } ?? "")
        let authorization = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
        let curl = try RunningChildProcess("/usr/bin/curl", ["-s", "-N", "--max-time", "300"] + authorization + [url])
        do {
            try await eventually("the stream to connect") { curl.output.contains(": connected") }
        } catch {
            await curl.stop()
            throw error
        }
        return curl
    }

    @Test("a user has at most NOTIFICATION_STREAMS_PER_USER streams (one more ends the oldest) and NOTIFICATION_STREAM_TICKETS_PER_USER unused tickets")
    func perUserLimits() async throws {
        try await NotificationHarness.run(["NOTIFICATION_STREAMS_PER_USER": "2", "NOTIFICATION_STREAM_TICKETS_PER_USER": "2"]) { service in
            let token = try await service.token(for: "u-many")
            let first = try await Self.openStream(service, token: token)
            let second = try await Self.openStream(service, token: token)
            let other = try await Self.openStream(service, token: try await service.token(for: "u-other"))
            let third = try await Self.openStream(service, token: token)
            try await eventually("the oldest stream to end") { !first.isRunning }
            #expect(first.output.contains("event: end\ndata: This account opened more than 2 live streams"), "\(first.output)")
            #expect(second.isRunning && third.isRunning && other.isRunning, "only the oldest of that user's streams ends")
            for stream in [second, third, other] { await stream.stop() }

            let tickets = "/api/notifications/stream/tickets"
            func issue() async throws -> TestResponse {
                try await service.client.execute(uri: tickets, method: .post, headers: [.authorization: "Bearer \(token)"])
            }
            let ticket = try #require(try await issue().jsonObject()["ticket"] as? String)
            #expect(try await issue().status == .created)
            let refused = try await issue()
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            // Spending one makes room for another.
            let spending = try await Self.openStream(service, ticket: ticket)
            #expect(try await issue().status == .created)
            await spending.stop()
        }
    }

    @Test("a stream ends, with an end event, when its session is signed out or the account's sessions are ended; a ticket from before is refused")
    func endsWithSession() async throws {
        try await NotificationHarness.run { service in
            let userID = "u-ending-\(UUID().uuidString.prefix(6).lowercased())"
            func token(session: String) async throws -> String {
                var claims = TestSigningKey.claims(userID: userID)
                claims.sid = session
                return try await service.key.sign(claims)
            }
            let (tokenA, tokenB) = (try await token(session: "session-a"), try await token(session: "session-b"))
            let streamA = try await Self.openStream(service, token: tokenA)
            let streamB = try await Self.openStream(service, token: tokenB)
            let ticketB = try #require(try await service.client.execute(uri: "/api/notifications/stream/tickets", method: .post,
                                                                        headers: [.authorization: "Bearer \(tokenB)"]).jsonObject()["ticket"] as? String)
            func updated(sessionsRevokedAt: Date? = nil, revokedSession: String? = nil) -> UserUpdated {
                UserUpdated(userId: userID, email: "\(userID)@example.com", name: "Ada", role: "customer", disabled: false,
                            changedFields: ["sessions"], updatedAt: Date(timeIntervalSinceNow: -60), sessionsRevokedAt: sessionsRevokedAt,
                            revokedSessionId: revokedSession)
            }
            try await service.publish([updated(revokedSession: "session-a")])
            try await eventually("session a's stream to end") { !streamA.isRunning }
            #expect(streamA.output.contains("event: end\ndata: This session was signed out"), "\(streamA.output)")
            #expect(streamB.isRunning && !streamB.output.contains("event: end"), "another session's stream stays open")

            try await service.publish([updated(sessionsRevokedAt: Date())])
            try await eventually("session b's stream to end") { !streamB.isRunning }
            #expect(streamB.output.contains("event: end\ndata: This account's sessions were ended"), "\(streamB.output)")
            let late = try await service.client.execute(uri: "/api/notifications/stream?ticket=\(ticketB)", method: .get)
            #expect(late.status == .unauthorized)
        }
    }

    @Test("a stream ends when the token that opened it expires, and a ticket never outlives its token")
    func endsWithToken() async throws {
        try await NotificationHarness.run(["NOTIFICATION_STREAM_TICKET_SECONDS": "60"]) { service in
            let token = try await service.key.sign(TestSigningKey.claims(userID: "u-brief", lifetime: 6))
            let stream = try await Self.openStream(service, token: token)
            let issued = try await service.client.execute(uri: "/api/notifications/stream/tickets", method: .post,
                                                          headers: [.authorization: "Bearer \(token)"])
            #expect(try (issued.jsonObject()["expiresIn"] as? Int).map { $0 <= 6 } == true, "\(String(buffer: issued.body))")
            try await eventually("the stream to end with its token") { !stream.isRunning }
            #expect(stream.output.contains("event: end\ndata: The access token expired"), "\(stream.output)")
        }
    }

    /// What `curl` reads from the stream once it has shown `userID`'s own event (order `o-own`)
    /// and a heartbeat. Pairs of payment events go out until the own one is seen — one for
    /// somebody else (`o-other`) first, then the user's own, under one key, so they share a
    /// partition and the other's was handled (and filtered) before the own one arrives. The
    /// stream's consumer group starts at the newest offset once it has joined (seconds on a
    /// loaded machine), so events sent before that are not seen: hence sending until seen.
    static func streamOutput(of service: NotificationHarness, userID: String, query: String = "", curl extra: [String] = []) async throws -> String {
        let url = "\(service.baseURL)/api/notifications/stream\(query)"
        let curl = try RunningChildProcess("/usr/bin/curl", ["-s", "-N", "--max-time", "300"] + extra + [url])
        do {
            try await eventually("the stream to show the user's own event") {
                try await service.publish([
                    PaymentFailed(paymentId: "pay-shared", orderId: "o-other", userId: "u-someone-else", amount: Money(minorUnits: 100, currency: "EUR"),
                                  reasonCode: "card_declined", message: "Declined.", failedAt: Date()),
                    PaymentFailed(paymentId: "pay-shared", orderId: "o-own", userId: userID, amount: Money(minorUnits: 100, currency: "EUR"),
                                  reasonCode: "card_declined", message: "Declined.", failedAt: Date()),
                ])
                return curl.output.contains("o-own")
            }
            try await eventually("a heartbeat on the stream") { curl.output.contains(": heartbeat") }
        } catch {
            await curl.stop()
            throw error
        }
        await curl.stop()
        return curl.output
    }
}

@Suite("notification domain")
struct NotificationDomainTests {
    @Test("money is shown with its currency and minor units", arguments: [
        (Money(minorUnits: 4_990, currency: "EUR"), "€49.90"), (Money(minorUnits: 5, currency: "USD"), "$0.05"),
        (Money(minorUnits: 1_200, currency: "JPY"), "¥1200"), (Money(minorUnits: 1_250, currency: "CHF"), "12.50 CHF"),
        (Money(minorUnits: 1_234, currency: "KWD"), "1.234 KWD"), (Money(minorUnits: -150, currency: "GBP"), "-£1.50"),
    ])
    func money(amount: Money, text: String) {
        #expect(MoneyFormat.format(amount) == text)
    }

    @Test("HTML templates escape values; text templates do not")
    func escaping() async throws {
        let renderer = try await TemplateRenderer.bundled()
        let (text, html) = try renderer.render(Messages.welcome(Samples.registered(name: "<b>Ada & Co</b>")))
        #expect(html.contains("&lt;b&gt;Ada &amp; Co&lt;/b&gt;"))
        #expect(text.contains("Hello <b>Ada & Co</b>,"))
    }
}
