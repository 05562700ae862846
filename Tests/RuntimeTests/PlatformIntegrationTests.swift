import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

/// `bazaar up` with the services that exist: started behind the gateway with their generated
/// secrets, reachable through it, and stopped cleanly.
@Suite("bazaar up, end to end", .serialized)
struct PlatformIntegrationTests {
    @Test("every service joins bazaar up: register, sign in as the generated administrator, JWKS, the demo catalog, an admin write with the user service's token, and the order saga across processes (paid and emailed, declined, cancelled with refund and restock, out of stock, the order service SIGKILLed mid-saga and started again by the launcher, shipped and delivered, the live stream), all through the gateway",
          .timeLimit(.minutes(5)))
    func userServiceBehindGateway() async throws {
        try await PrivatePlatform.run(prefix: "bazaar-up-test") { platform in
            let (launcher, curl, runDirectory, common, gateway) = (platform.launcher, platform.curl, platform.runDirectory, platform.arguments,
                                                                   platform.gateway)
            let start = platform.start
            let secrets = RunDirectory(path: runDirectory).secretsDirectory
            let password = try platform.administratorPassword()
            #expect(start.contains("Administrator: admin@bazaar.local / \(password)"), "\(start)")
            #expect(start.contains("Mail is written to \(runDirectory)/mail"), "\(start)")
            // Every service the launcher starts is told where the SMTP sink is.
            let services = try #require(try RunStateStore(runDirectory: RunDirectory(path: runDirectory)).load())
                .processes.filter { $0.kind == .service }
            #expect(!services.isEmpty)
            for service in services {
                let environment = try Self.environment(ofProcess: service.pid)
                #expect(environment["SMTP_HOST"] == "127.0.0.1" && environment["SMTP_PORT"] == String(platform.smtpPort), "\(service.name)")
                #expect(environment["SMTP_TLS"] == "none" && environment["SMTP_FROM_EMAIL"] == "shop@bazaar.local", "\(service.name)")
                // The launcher's own KAFKA_FETCH_WAIT_MAX_MS wins over its default of 10.
                #expect(environment["KAFKA_FETCH_WAIT_MAX_MS"] == "100", "\(service.name)")
                #expect(environment["HOST"] == "127.0.0.1", "\(service.name) listens on loopback only")
            }
            let keyFile = secrets.appending(path: "jwt-signing-key.pem").path(percentEncoded: false)
            #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)

            let client = PlatformClient(curl: curl, gateway: gateway)
            func request(_ method: String, _ path: String, body: String? = nil, token: String? = nil,
                         headers: [String] = []) async throws -> (status: Int, body: String) {
                try await client.request(method, path, token: token, body: body, headers: headers)
            }
            func field(_ name: String, of text: String) throws -> String? { try client.field(name, of: text) }

            let registered = try await request("POST", "/api/auth/register",
                                               body: #"{"email":"shopper@example.com","password":"correct-Horse-battery-9","name":"Shopper"}"#)
            #expect(registered.status == 201, "\(registered.body)")
            let customerToken = try #require(try field("accessToken", of: registered.body))
            #expect(try await request("GET", "/api/users/me", token: customerToken).status == 200)
            // The order and payment services joined too: the gateway routes both forms of each collection path.
            for path in ["/api/orders", "/api/orders/", "/api/payments", "/api/payments/"] {
                let listed = try await request("GET", path, token: customerToken)
                #expect(listed.status == 200 && listed.body.contains(#""total":0"#), "\(path): \(listed.status) \(listed.body)")
            }
            // The payment service got its generated webhook secret, owner-only.
            let webhookSecret = secrets.appending(path: "payment-webhook-secret").path(percentEncoded: false)
            #expect((try FileManager.default.attributesOfItem(atPath: webhookSecret)[.posixPermissions] as? Int) == 0o600)

            let login = try await request("POST", "/api/auth/login", body: #"{"email":"admin@bazaar.local","password":"\#(password)"}"#)
            #expect(login.status == 200, "\(login.body)")
            let adminToken = try #require(try field("accessToken", of: login.body))
            let users = try await request("GET", "/api/users?limit=10", token: adminToken)
            #expect(users.status == 200, "\(users.body)")
            #expect(users.body.contains("shopper@example.com"))

            let jwks = try await request("GET", "/.well-known/jwks.json")
            #expect(jwks.status == 200)
            #expect(jwks.body.contains(#""kty":"EC""#))
            let unknown = try await request("GET", "/api/nothing-here")
            #expect(unknown.status == 404)

            // The catalog loaded the demo data on its first start and answers through the gateway.
            try await eventually("the demo catalog to be loaded") {
                let page = try await request("GET", "/api/catalog/products?limit=1")
                return ((try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])?["total"] as? Int ?? 0) >= 200
            }
            // The gateway's /health asks every service the launcher started, through its health checker.
            let health = try await eventuallyValue("the gateway's /health to report every service healthy") { () -> String? in
                let health = try await request("GET", "/health")
                return health.status == 200 ? health.body : nil
            }
            let report = try JSONSerialization.jsonObject(with: Data(health.utf8)) as? [String: Any]
            #expect(report?["status"] as? String == "healthy", "\(health)")
            #expect(Set((report?["services"] as? [String: Any])?.keys.map { $0 } ?? []) == Set(services.map(\.name)), "\(health)")
            // An administrator's token from the user service is trusted by the catalog (JWKS across processes).
            let subCategory = try await Self.firstSubCategory(gateway: gateway, curl: curl)
            let product = #"{"sku":"E2E-1","name":"End-to-end test lamp","description":"","categoryIds":["\#(subCategory)"],"price":{"minorUnits":999,"currency":"EUR"}}"#
            let created = try await request("POST", "/api/catalog/products", body: product, token: adminToken)
            #expect(created.status == 201, "\(created.body)")
            #expect(try await request("POST", "/api/catalog/products", body: product, token: customerToken).status == 403)
            let search = try await request("GET", "/api/catalog/products?q=E2E-1")
            #expect(search.body.contains("End-to-end test lamp"))
            // Across processes: the user service's user.registered reaches the notification service,
            // whose welcome email lands in the run's SMTP sink.
            let mailDirectory = "\(runDirectory)/mail"
            let mail = try await eventuallyValue("the welcome email in \(mailDirectory)") {
                try emlFiles(in: mailDirectory)
                    .map { try String(contentsOfFile: "\(mailDirectory)/\($0)", encoding: .utf8) }
                    .first { $0.contains("shopper@example.com") && $0.contains("Subject: Welcome to Bazaar, Shopper") }
            }
            #expect(mail.contains("To: <shopper@example.com>"))
            #expect(mail.contains(Data("Hello Shopper,".utf8).base64EncodedString().prefix(16)))
            // The customer's feed shows it.
            // (The delivery is recorded as sent when its batch commits, just after the sink has it.)
            try await eventually("the welcome email in the customer's feed") {
                let feed = try await request("GET", "/api/notifications", token: customerToken)
                return feed.status == 200 && feed.body.contains("Welcome to Bazaar, Shopper")
            }

            // Password reset across processes: the user service seals the token into its event with
            // the run's generated key, the notification service opens it and emails the link, and
            // the token from that email sets a new password.
            #expect(try await request("POST", "/api/auth/password-reset", body: #"{"email":"shopper@example.com"}"#).status == 202)
            let resetToken = try await eventuallyValue("the reset email in \(mailDirectory)") { () -> String? in
                let received: [ReceivedMail] = try emlFiles(in: mailDirectory).map { name in
                    try ReceivedMail(Data(contentsOf: URL(filePath: mailDirectory + "/" + name)))
                }
                let reset = received.first { $0.to.contains("shopper@example.com") && $0.subject == "Reset your Bazaar password" }
                return reset?.text.firstMatch(of: /token=([A-Za-z0-9_-]{43})/).map { String($0.1) }
            }
            let confirmed = try await request("POST", "/api/auth/password-reset/confirm",
                                              body: #"{"token":"\#(resetToken)","newPassword":"brand-New-secret-77"}"#)
            #expect(confirmed.status == 204, "\(confirmed.body)")
            // A reset ends every session: the token issued at registration is refused from now on.
            #expect(try await request("GET", "/api/users/me", token: customerToken).status == 401)

            // The order saga across processes (cart → order → inventory → payment → notification):
            // a paid order is confirmed and emailed, a declined card cancels its order, and the
            // customer's cancellation of a paid order refunds it and puts the stock back.
            func object(_ text: String) throws -> [String: Any] { try client.object(text) }
            func minorUnits(_ value: Any?) -> Int? { (value as? [String: Any])?["minorUnits"] as? Int }
            let shopperLogin = try await request("POST", "/api/auth/login", body: #"{"email":"shopper@example.com","password":"brand-New-secret-77"}"#)
            let shopperToken = try #require(try field("accessToken", of: shopperLogin.body))
            let productID = try #require(try field("id", of: created.body))
            try await eventually("the inventory to know E2E-1 and take stock for it") {
                try await request("POST", "/api/inventory/stock/E2E-1/adjustments", body: #"{"delta":10,"reason":"end-to-end test"}"#,
                                  token: adminToken).status == 200
            }
            func checkout(quantity: Int, paymentMethod: String) async throws -> (orderId: String, total: Int) {
                let added = try await eventuallyValue("the cart to know the new product") { () -> (status: Int, body: String)? in
                    let added = try await request("POST", "/api/cart/items", body: #"{"productId":"\#(productID)","quantity":\#(quantity)}"#, token: shopperToken)
                    return added.status == 200 || added.status == 201 ? added : nil
                }
                let total = try #require(minorUnits(try object(added.body)["total"]), "\(added.body)")
                let placed = try await request("POST", "/api/cart/checkout", body: #"{"shippingAddress":{"name":"Shopper","line1":"1 Loop Road","city":"Localhost","postalCode":"12345","country":"DE"},"paymentMethod":"\#(paymentMethod)","expectedTotal":{"minorUnits":\#(total),"currency":"EUR"}}"#,
                                               token: shopperToken, headers: ["Idempotency-Key: \(UUID().uuidString)"])
                #expect(placed.status == 202, "\(placed.body)")
                return (try #require(try field("orderId", of: placed.body)), total)
            }
            func order(_ id: String, reaches status: String) async throws -> [String: Any] {
                try await eventuallyValue("order \(id) to be \(status)") { () -> [String: Any]? in
                    let order = try object(try await request("GET", "/api/orders/\(id)", token: shopperToken).body)
                    return order["status"] as? String == status ? order : nil
                }
            }
            func payment(of orderId: String) async throws -> [String: Any] {
                let page = try object(try await request("GET", "/api/payments?orderId=\(orderId)", token: shopperToken).body)
                return try #require((page["items"] as? [[String: Any]])?.first, "no payment for \(orderId): \(page)")
            }
            func stock() async throws -> (onHand: Int, reserved: Int) {
                let level = try object(try await request("GET", "/api/inventory/stock/E2E-1", token: adminToken).body)
                return (level["onHand"] as? Int ?? -1, level["reserved"] as? Int ?? -1)
            }
            let initial = try await stock()  // the adjustment, plus any demo stock the inventory gives a new SKU
            #expect(initial.onHand >= 10 && initial.reserved == 0, "\(initial)")
            // The shopper's live stream, open through the gateway while the orders run.
            let streamFile = runDirectory + "/stream.txt"
            let stream = Process()
            stream.executableURL = URL(filePath: curl)
            stream.arguments = ["-s", "-N", "-m", "240", "-H", "Authorization: Bearer \(shopperToken)", "-o", streamFile, gateway + "/api/notifications/stream"]
            try TestProcess.launch(stream)
            defer { if stream.isRunning { stream.terminate() } }
            try await eventually("the live stream to be connected") {
                (try? String(contentsOfFile: streamFile, encoding: .utf8))?.contains(": connected") == true
            }
            let paid = try await checkout(quantity: 2, paymentMethod: "tok_visa")
            _ = try await order(paid.orderId, reaches: "confirmed")
            let captured = try await payment(of: paid.orderId)
            #expect(captured["status"] as? String == "captured" && minorUnits(captured["captured"]) == paid.total, "\(captured)")
            _ = try await eventuallyValue("the confirmation email") {
                try emlFiles(in: mailDirectory).map { try String(contentsOfFile: "\(mailDirectory)/\($0)", encoding: .utf8) }
                    .first { $0.contains("Subject: Your order \(paid.orderId) is confirmed") }
            }
            try await eventually("the sale to be taken from stock") { try await stock() == (onHand: initial.onHand - 2, reserved: 0) }

            let declined = try await checkout(quantity: 1, paymentMethod: "tok_chargeDeclined")
            let refused = try await order(declined.orderId, reaches: "cancelled")
            #expect(refused["cancellationReason"] as? String == "payment_failed", "\(refused)")
            #expect(try await payment(of: declined.orderId)["failureCode"] as? String == "card_declined")
            try await eventually("the declined order's hold to be released") { try await stock() == (onHand: initial.onHand - 2, reserved: 0) }

            let cancelled = try await request("POST", "/api/orders/\(paid.orderId)/cancel", token: shopperToken)
            #expect(cancelled.status == 200, "\(cancelled.body)")
            try await eventually("the cancelled order's money to be refunded") {
                minorUnits(try await payment(of: paid.orderId)["refunded"]) == paid.total
            }
            try await eventually("the cancelled order's units to be back in stock") { try await stock() == initial }
            // The stream showed the paid order's way from placed to confirmed, and its refund, as they happened.
            try await eventually("the paid order's events on the live stream") {
                let text = (try? String(contentsOfFile: streamFile, encoding: .utf8)) ?? ""
                return ["bazaar.order.placed.v1", "bazaar.order.confirmed.v1", "bazaar.order.cancelled.v1", "bazaar.payment.refunded.v1"]
                    .allSatisfy { text.contains("event: \($0)\ndata: ") } && text.contains(paid.orderId)
            }

            // Out of stock: one unit left, two asked for.
            let left = try await stock()
            #expect(try await request("POST", "/api/inventory/stock/E2E-1/adjustments", body: #"{"delta":\#(1 - left.onHand),"reason":"end-to-end test"}"#,
                                      token: adminToken).status == 200)
            let tooMany = try await checkout(quantity: 2, paymentMethod: "tok_visa")
            let unavailable = try await order(tooMany.orderId, reaches: "cancelled")
            #expect(unavailable["cancellationReason"] as? String == "out_of_stock", "\(unavailable)")
            #expect(try await stock() == (onHand: 1, reserved: 0))
            #expect(try object(try await request("GET", "/api/payments?orderId=\(tooMany.orderId)", token: shopperToken).body)["total"] as? Int == 0,
                    "nothing is charged for an order without stock")

            // The order service killed (SIGKILL) in the middle of a saga — right after the checkout was
            // accepted, while its payment (tok_slow, settled by webhook two seconds after it is asked
            // for) cannot have been captured — and started again by the launcher: the order is
            // confirmed, once.
            #expect(try await request("POST", "/api/inventory/stock/E2E-1/adjustments", body: #"{"delta":5,"reason":"end-to-end test"}"#,
                                      token: adminToken).status == 200)
            let orderProcess = try #require(services.first { $0.name == "order" })
            let interrupted = try await checkout(quantity: 1, paymentMethod: "tok_slow")
            #expect(kill(orderProcess.pid, SIGKILL) == 0)
            try await eventually("the launcher to start the order service again") {
                try RunStateStore(runDirectory: RunDirectory(path: runDirectory)).load()?.processes
                    .contains { $0.name == "order" && $0.pid != orderProcess.pid } == true
            }
            let resumed = try await order(interrupted.orderId, reaches: "confirmed")
            let history = resumed["history"] as? [[String: Any]] ?? []
            #expect(history.compactMap { $0["status"] as? String } == ["pending", "awaiting_payment", "confirmed"], "\(history)")
            try await eventually("the resumed order's confirmation email") {
                try emlFiles(in: mailDirectory).map { try String(contentsOfFile: "\(mailDirectory)/\($0)", encoding: .utf8) }
                    .contains { $0.contains("Subject: Your order \(interrupted.orderId) is confirmed") }
            }
            let confirmations = try emlFiles(in: mailDirectory).map { try String(contentsOfFile: "\(mailDirectory)/\($0)", encoding: .utf8) }
                .filter { $0.contains("Subject: Your order \(interrupted.orderId) is confirmed") }
            #expect(confirmations.count == 1)
            try await eventually("the resumed order's units to be sold") { try await stock() == (onHand: 5, reserved: 0) }
            // The administrator ships it and marks it delivered; the shopper sees the whole way.
            let shipped = try await request("POST", "/api/orders/\(interrupted.orderId)/ship", body: #"{"carrier":"DHL","trackingNumber":"JJD000390007"}"#,
                                            token: adminToken)
            #expect(shipped.status == 200, "\(shipped.body)")
            #expect(try await request("POST", "/api/orders/\(interrupted.orderId)/deliver", token: adminToken).status == 200)
            let delivered = try await order(interrupted.orderId, reaches: "delivered")
            #expect((delivered["history"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
                    == ["pending", "awaiting_payment", "confirmed", "shipped", "delivered"], "\(delivered)")

            let reconciliation = try object(try await request("GET", "/api/payments/reconciliation", token: adminToken).body)
            #expect((reconciliation["mismatches"] as? [Any])?.isEmpty == true && reconciliation["checked"] as? Int == 3, "\(reconciliation)")
            stream.terminate()

            // `bazaar seed` leaves a store that has data as it is.
            let seed = try await TestProcess.run(launcher, ["seed"] + common)
            #expect(seed.status == 0 && seed.output.contains("already has data"), "\(seed.output)")

            // A restart keeps the key (tokens issued before stay valid) and the administrator.
            #expect(try await TestProcess.run(launcher, ["down"] + common).status == 0)
            let restart = try await TestProcess.run(launcher, ["up", "--detach"] + common, environment: Self.testEnvironment)
            try #require(restart.status == 0, "second bazaar up failed:\n\(restart.output)")
            #expect(try await request("GET", "/api/users/me", token: shopperToken).status == 200)
            let adminAgain = try await request("POST", "/api/auth/login", body: #"{"email":"admin@bazaar.local","password":"\#(password)"}"#)
            #expect(adminAgain.status == 200)

            // 500 live streams open through the gateway: it goes on answering other requests, and
            // disabling the account (below) ends every one of them with an `end` event.
            let python = try TestTools.require("python3", debianPackage: "python3")
            let crowd = try RunningChildProcess(python, ["-c", StreamCrowd.program, String(platform.gatewayPort), shopperToken, "500"])
            try await eventually("500 streams to connect through the gateway") {
                crowd.output.contains("connected 500") || crowd.output.contains("ended")
            }
            #expect(crowd.output.contains("connected 500"), "\(crowd.output)")
            #expect(try await request("GET", "/api/catalog/products").status == 200)
            #expect(try await request("GET", "/api/users/me", token: shopperToken).status == 200)

            // Disabling an account stops its unexpired access token at every service within moments
            // (each follows user.updated), not when the token expires.
            let shopperID = try #require(((try JSONSerialization.jsonObject(with: Data(registered.body.utf8)) as? [String: Any])?["user"]
                as? [String: Any])?["id"] as? String)
            let freshAdminToken = try #require(try field("accessToken", of: adminAgain.body))
            let disabled = try await request("PATCH", "/api/users/\(shopperID)", body: #"{"disabled":true}"#, token: freshAdminToken)
            #expect(disabled.status == 200, "\(disabled.body)")
            // Each service follows the topic on its own, so each is asked until it refuses.
            for path in ["/api/notifications", "/api/users/me"] {
                try await eventually("\(path) to refuse a disabled account's token") {
                    try await request("GET", path, token: shopperToken).status == 401
                }
            }
            try await eventually("the crowd's streams to end") { crowd.output.contains("ended") }
            #expect(crowd.output.contains("ended 500 with-end-event 500 not-ok 0"), "\(crowd.output)")
            await crowd.stop()
        }
    }

    @Test("bazaar up --scale order=3: three order replicas share the work; 100 checkouts make 100 orders, each confirmed once",
          .timeLimit(.minutes(6)))
    func scaledOrderService() async throws {
        // Room for the replicas: every service port and the order service's two more (+100, +200).
        let order = try #require(ServiceRegistry.service(named: "order"))
        try await PrivatePlatform.run(prefix: "bazaar-scale-test", extraServicePorts: [order.port + 100, order.port + 200],
                                      upOptions: ["--scale", "order=3"]) { platform in
            let (curl, client, offset) = (platform.curl, platform.client, platform.servicePortOffset)
            let processes = try #require(try RunStateStore(runDirectory: RunDirectory(path: platform.runDirectory)).load()).processes
            let replicas = processes.filter { $0.kind == .service && ($0.name == "order" || $0.name.hasPrefix("order-")) }
            #expect(Set(replicas.map(\.name)) == ["order", "order-2", "order-3"], "\(processes.map(\.name))")
            let replicaPorts = [order.port, order.port + 100, order.port + 200].map { $0 + offset }

            let password = try platform.administratorPassword()
            let admin = try #require(try client.field("accessToken", of: try await client.request(
                "POST", "/api/auth/login", body: #"{"email":"admin@bazaar.local","password":"\#(password)"}"#).body))
            let registered = try await client.request("POST", "/api/auth/register",
                                                      body: #"{"email":"many@example.com","password":"correct-Horse-battery-9","name":"Many"}"#)
            #expect(registered.status == 201, "\(registered.body)")
            let shopper = try #require(try client.field("accessToken", of: registered.body))
            try await eventually("the demo catalog to be loaded") {
                let page = try client.object(try await client.request("GET", "/api/catalog/products?limit=1").body)
                return (page["total"] as? Int ?? 0) >= 200
            }
            let category = try await Self.firstSubCategory(gateway: client.gateway, curl: curl)
            let created = try await client.request("POST", "/api/catalog/products", token: admin, body:
                #"{"sku":"SCALE-1","name":"Scale test cup","description":"","categoryIds":["\#(category)"],"price":{"minorUnits":500,"currency":"EUR"}}"#)
            #expect(created.status == 201, "\(created.body)")
            let product = try #require(try client.field("id", of: created.body))
            try await eventually("the inventory to know SCALE-1 and take stock for it") {
                try await client.request("POST", "/api/inventory/stock/SCALE-1/adjustments", token: admin,
                                         body: #"{"delta":1000,"reason":"scale test"}"#).status == 200
            }

            var orderIds: [String] = []
            for _ in 0..<100 {
                let added = try await eventuallyValue("the cart to know the new product") { () -> (status: Int, body: String)? in
                    let added = try await client.request("POST", "/api/cart/items", token: shopper, body: #"{"productId":"\#(product)","quantity":1}"#)
                    return added.status == 200 ? added : nil
                }
                let total = try #require(((try client.object(added.body))["total"] as? [String: Any])?["minorUnits"] as? Int)
                let placed = try await client.request("POST", "/api/cart/checkout", token: shopper,
                    body: #"{"shippingAddress":{"name":"Many","line1":"1 Loop Road","city":"Localhost","postalCode":"12345","country":"DE"},"paymentMethod":"tok_visa","expectedTotal":{"minorUnits":\#(total),"currency":"EUR"}}"#,
                    headers: ["Idempotency-Key: \(UUID().uuidString)"])
                try #require(placed.status == 202, "\(placed.body)")
                orderIds.append(try #require(try client.field("orderId", of: placed.body)))
            }
            #expect(Set(orderIds).count == 100)
            try await eventually("all 100 orders to be confirmed", within: .seconds(180)) {
                let page = try client.object(try await client.request("GET", "/api/orders/all?status=confirmed&limit=1", token: admin).body)
                return page["total"] as? Int == 100
            }
            let all = try client.object(try await client.request("GET", "/api/orders/all?limit=1", token: admin).body)
            #expect(all["total"] as? Int == 100, "exactly one order per accepted checkout: \(all)")
            for id in orderIds {
                let placedOrder = try client.object(try await client.request("GET", "/api/orders/\(id)", token: shopper).body)
                let history = (placedOrder["history"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
                #expect(history == ["pending", "awaiting_payment", "confirmed"], "\(id): \(history)")
            }
            // Every replica handled some of the saga's events (its own metrics, asked directly).
            for port in replicaPorts {
                let metrics = try await TestProcess.run(curl, ["-s", "-m", "10", "http://127.0.0.1:\(port)/metrics"]).output
                let handled = metrics.split(separator: "\n")
                    .filter { $0.hasPrefix("events_consumed_total{") && $0.contains(#"outcome="handled""#) }
                    .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
                #expect(handled > 0, "the replica on port \(port) handled no event")
            }
        }
    }

    /// The services' consumers wait 100 ms per fetch instead of the launcher's 10 (no latency is
    /// measured here, and ten debug-built services polling every 10 ms take CPU from the tests
    /// running beside it); one shopper may open the crowd of streams ``StreamCrowd`` opens.
    static let testEnvironment = ["KAFKA_FETCH_WAIT_MAX_MS": "100", "NOTIFICATION_STREAMS_PER_USER": "600"]

    /// The launcher's options for a private platform: `runDirectory`, free ports for the stores.
    static func runArguments(runDirectory: String, gatewayPort: Int, smtpPort: Int, servicePortOffset: Int) throws -> [String] {
        ["--run-dir", runDirectory, "--postgres-port", String(try LoopbackPort.free()),
         "--redis-port", String(try LoopbackPort.free()), "--cart-redis-port", String(try LoopbackPort.free()),
         "--mongo-port", String(try LoopbackPort.free()), "--smtp-port", String(smtpPort),
         "--gateway-port", String(gatewayPort), "--service-port-offset", String(servicePortOffset)]
    }

    /// The id of a sub-category of the demo catalog, read through the gateway.
    static func firstSubCategory(gateway: String, curl: String) async throws -> String {
        let result = try await TestProcess.run(curl, ["-s", "-m", "10", gateway + "/api/catalog/categories"])
        let tree = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let roots = tree?["items"] as? [[String: Any]] ?? []
        guard let child = (roots.first?["children"] as? [[String: Any]])?.first?["id"] as? String else {
            throw TestSetupError(description: "the catalog has no sub-category: \(result.output.prefix(300))")
        }
        return child
    }

    /// The environment a live process was started with, from `/proc/<pid>/environ`.
    static func environment(ofProcess pid: Int32) throws -> [String: String] {
        let data = try Data(contentsOf: URL(filePath: "/proc/\(pid)/environ"))
        let pairs = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.compactMap { entry -> (String, String)? in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

}

/// A platform of its own for one test: `bazaar up --detach` (with ``PlatformIntegrationTests/testEnvironment``)
/// in a temporary run directory on free ports, handed to the test, and stopped however the test
/// ends: `bazaar down`, no process of it left, the directory removed.
struct PrivatePlatform {
    let launcher: String
    let curl: String
    let runDirectory: String
    let gatewayPort: Int
    let smtpPort: Int
    /// Added to every registered service port (free ones were found).
    let servicePortOffset: Int
    /// The launcher options that name this platform (run directory and ports), for more commands.
    let arguments: [String]
    /// What `bazaar up` printed.
    let start: String

    var gateway: String { "http://127.0.0.1:\(gatewayPort)" }
    var client: PlatformClient { PlatformClient(curl: curl, gateway: gateway) }

    /// The generated administrator's password.
    func administratorPassword() throws -> String {
        try String(contentsOf: RunDirectory(path: runDirectory).secretsDirectory.appending(path: "admin-password"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies a failed platform's whole log (every process's output) to where it outlives the
    /// test: the test run directory's `failed-platforms/` (else the temporary directory).
    static func keepLog(of runDirectory: String, prefix: String) {
        let base = ProcessInfo.processInfo.environment["BAZAAR_RUN_DIR"] ?? FileManager.default.temporaryDirectory.path
        let folder = URL(filePath: base).appending(path: "failed-platforms")
        let kept = folder.appending(path: "\(prefix)\(UUID().uuidString.prefix(8)).log")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: URL(filePath: runDirectory).appending(path: "logs/bazaar.log"), to: kept)
            print("The failed platform's log is kept at \(kept.path)")
        } catch {
            print("The failed platform's log could not be kept: \(error)")
        }
    }

    /// `extraServicePorts`: more ports to keep free at the offset (replicas); `upOptions`: more
    /// options for `bazaar up` (`--scale`).
    static func run(prefix: String, extraServicePorts: [Int] = [], upOptions: [String] = [],
                    _ body: (PrivatePlatform) async throws -> Void) async throws {
        let launcher = try LauncherBinary.locate()
        let directory = try TemporaryDirectory.create(prefix: prefix)
        let (gatewayPort, smtpPort) = (try LoopbackPort.free(), try LoopbackPort.free())
        let offset = try LoopbackPort.freeOffset(for: ServiceRegistry.all.map(\.port) + extraServicePorts)
        let arguments = try PlatformIntegrationTests.runArguments(runDirectory: directory.path, gatewayPort: gatewayPort, smtpPort: smtpPort,
                                                                  servicePortOffset: offset)
        var failure: (any Error)?
        do {
            let start = try await TestProcess.run(launcher, ["up", "--detach"] + upOptions + arguments,
                                                  environment: PlatformIntegrationTests.testEnvironment)
            try #require(start.status == 0, "bazaar up --detach \(upOptions) failed:\n\(start.output)")
            try await body(PrivatePlatform(launcher: launcher, curl: try TestTools.require("curl", debianPackage: "curl"),
                                           runDirectory: directory.path, gatewayPort: gatewayPort, smtpPort: smtpPort,
                                           servicePortOffset: offset, arguments: arguments, start: start.output))
        } catch {
            failure = error
        }
        _ = try? await TestProcess.run(launcher, ["down"] + arguments)
        #expect(liveProcesses(mentioning: directory.path) == [])
        if let failure {
            keepLog(of: directory.path, prefix: prefix)
            directory.remove()
            throw failure
        }
        directory.remove()
    }
}

/// Requests through the gateway with curl, for the platform tests.
struct PlatformClient {
    let curl: String
    let gateway: String

    func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil,
                 headers: [String] = [], dumpHeaders: Bool = false) async throws -> (status: Int, body: String) {
        var arguments = ["-s", "-m", "10", "-X", method, "-w", "\n%{http_code}", gateway + path]
        if dumpHeaders { arguments += ["-D", "-"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "-d", body] }
        for header in headers { arguments += ["-H", header] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let result = try await TestProcess.run(curl, arguments)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// An answer with its headers (names in lower case).
    struct Exchange {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// `request` that keeps the response headers too.
    func exchange(_ method: String, _ path: String, token: String? = nil, body: String? = nil, headers: [String] = []) async throws -> Exchange {
        let answer = try await request(method, path, token: token, body: body, headers: headers, dumpHeaders: true)
        let (head, rest) = answer.body.firstRange(of: "\r\n\r\n").map { (answer.body[..<$0.lowerBound], answer.body[$0.upperBound...]) }
            ?? (answer.body[...], ""[...])
        var fields: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Exchange(status: answer.status, headers: fields, body: String(rest))
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try Self.json(text) as? [String: Any], "not a JSON object: \(text)")
    }

    func field(_ name: String, of text: String) throws -> String? {
        (try Self.json(text) as? [String: Any])?[name] as? String
    }

    /// `text` parsed, or an error that shows it (an empty answer is a failed request, not bad JSON).
    private static func json(_ text: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw TestSetupError(description: "not JSON: '\(text.prefix(500))'")
        }
    }
}

/// Opens `count` live streams through the gateway with one token, says `connected <count>` once
/// every one has said `: connected`, then reads them all until each ends (the gateway closes it:
/// `Connection: close`) and says how many ended, how many of those with an `end` event, and how
/// many were answered with anything but 200. Bounded: gives up after four minutes.
enum StreamCrowd {
    static let program = """
        import selectors, socket, sys, time
        port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        request = ("GET /api/notifications/stream HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAccept: text/event-stream\\r\\n"
                   f"Authorization: Bearer {token}\\r\\nConnection: close\\r\\n\\r\\n").encode()
        selector = selectors.DefaultSelector()
        received = {}
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(request)
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ)
            received[connection] = b""
        connected, ended, announced = set(), set(), False
        deadline = time.monotonic() + 240
        while len(ended) < count and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                connection = key.fileobj
                chunk = connection.recv(65536)
                if not chunk:
                    selector.unregister(connection)
                    ended.add(connection)
                    continue
                received[connection] += chunk
                if b": connected" in received[connection]:
                    connected.add(connection)
            if not announced and len(connected) == count:
                print(f"connected {count}", flush=True)
                announced = True
        with_end = sum(1 for connection in ended if b"event: end" in received[connection])
        not_ok = sum(1 for data in received.values() if not data.startswith(b"HTTP/1.1 200"))
        print(f"connected {len(connected)} ended {len(ended)} with-end-event {with_end} not-ok {not_ok}", flush=True)
        """
}
