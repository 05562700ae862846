@testable import BazaarMail
import BazaarTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing

@Suite("SMTP client")
struct SMTPClientTests {
    static let sender = MailMessage.Address("shop@bazaar.test", name: "Bazaar")

    func client(port: Int, security: SMTPSettings.Security = .none, username: String? = nil, password: String? = nil,
                timeout: Duration = .seconds(10)) -> SMTPClient {
        SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: port, username: username, password: password, from: Self.sender,
                                          security: security, timeout: timeout),
                   logger: Logger(label: "smtp-test"))
    }

    func message(to recipients: [String], subject: String = "Hello", text: String = "Hi", html: String? = nil) -> MailMessage {
        MailMessage(from: Self.sender, to: recipients.map { MailMessage.Address($0) }, subject: subject, text: text, html: html)
    }

    @Test("a message with a non-ASCII subject and bodies arrives intact")
    func nonASCIIArrivesIntact() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let subject = "Ihre Bestellung – danke, Ada! 🎉 Grüße aus Zürich"
        let text = "Grüße\nÄrger? Nein: ½ Preis für 日本語.\n.a line starting with a dot\n"
        let html = "<p>Grüße – <b>日本語</b></p>\n"
        let sent = MailMessage(from: Self.sender, to: [.init("ada@example.test", name: "Ada Lovelace")], subject: subject, text: text,
                               html: html, messageID: "nonascii-1@bazaar")
        try await client(port: sink.port).send(sent)

        let received = try sink.received()
        try #require(received.count == 1)
        let mail = received[0]
        #expect(mail.mailFrom == "shop@bazaar.test")
        #expect(mail.recipients == ["ada@example.test"])
        #expect(mail.subject == subject)
        #expect(mail.text == text)
        #expect(mail.html == html)
        #expect(mail.messageID == "<nonascii-1@bazaar>")
        #expect(mail.from == "Bazaar <shop@bazaar.test>")
        #expect(mail.to == "Ada Lovelace <ada@example.test>")
        #expect(mail.contentTypes == ["multipart/alternative", "text/plain", "text/html"])
    }

    @Test("one message reaches every recipient in a single transaction")
    func multipleRecipients() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await client(port: sink.port).send(message(to: ["a@example.test", "b@example.test", "c@example.org"]))

        let received = try sink.received()
        try #require(received.count == 1)
        #expect(received[0].recipients == ["a@example.test", "b@example.test", "c@example.org"])
        #expect(received[0].to == "a@example.test, b@example.test, c@example.org")
    }

    @Test("a 550 recipient rejection is permanent, quotes the server and sends nothing")
    func rejectionIsPermanent() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: sink.port).send(message(to: ["ok@example.test", "nobody@reject.test"]))
        }
        #expect(error.isPermanent)
        #expect(error.responseCode == 550)
        #expect(!error.concernsServer)
        #expect(error.curlCode != nil)
        #expect(error.message.contains("550 5.1.1 <nobody@reject.test>: recipient rejected"), "\(error)")
        #expect(try sink.received().isEmpty)
    }

    @Test("a 451 reply is temporary")
    func deferralIsTemporary() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: sink.port).send(message(to: ["later@defer.test"]))
        }
        #expect(!error.isPermanent)
        #expect(error.responseCode == 451)
        #expect(!error.concernsServer)
    }

    @Test("a closed port is a temporary failure")
    func closedPortIsTemporary() async throws {
        // Bound but not listening: connecting is refused for as long as we hold the port.
        let closed = try BoundSocket()
        defer { closed.close() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: closed.port).send(message(to: ["ada@example.test"]))
        }
        #expect(!error.isPermanent)
        #expect(error.responseCode == nil)
        #expect(error.curlCode == 7)  // CURLE_COULDNT_CONNECT
        #expect(error.concernsServer)
        #expect(error.message.contains("\(closed.port)"))
    }

    @Test("a server that never greets times out, temporarily")
    func silentServerTimesOut() async throws {
        // Listening but never accepting: the kernel completes the handshake, no greeting comes.
        let silent = try BoundSocket(listening: true)
        defer { silent.close() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: silent.port, timeout: .milliseconds(500)).send(message(to: ["ada@example.test"]))
        }
        #expect(!error.isPermanent)
        #expect(error.curlCode == 28)  // CURLE_OPERATION_TIMEDOUT: the configured timeout ended it
        #expect(error.concernsServer)
    }

    @Test("wrong credentials are permanent and the password never appears in the error")
    func loginDeniedIsPermanent() async throws {
        let sink = try await SMTPSink.start(credentials: (user: "bazaar", password: "right-secret"))
        defer { sink.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: sink.port, username: "bazaar", password: "wrong-secret").send(message(to: ["ada@example.test"]))
        }
        #expect(error.isPermanent)
        #expect(error.curlCode == 67)  // CURLE_LOGIN_DENIED
        #expect(error.responseCode == 535)
        #expect(error.concernsServer)
        #expect(!error.message.contains("wrong-secret"))
        #expect(!error.description.contains("wrong-secret"))

        try await client(port: sink.port, username: "bazaar", password: "right-secret").send(message(to: ["ada@example.test"]))
        #expect(try sink.received().count == 1)
    }

    @Test("STARTTLS is required when configured: a server without it gets nothing")
    func startTLSIsNotOptional() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: sink.port, security: .starttls).send(message(to: ["ada@example.test"]))
        }
        #expect(error.curlCode == 64)  // CURLE_USE_SSL_FAILED
        #expect(try sink.received().isEmpty)
    }

    @Test("an address that could inject SMTP commands is refused before connecting")
    func unsafeAddressesAreRefused() async throws {
        let closed = try BoundSocket()
        defer { closed.close() }
        for recipient in ["a@example.test>\r\nRCPT TO:<b@example.test", "a@example.test\nX", ""] {
            let error = try await #require(throws: SMTPError.self) {
                try await client(port: closed.port).send(message(to: [recipient]))
            }
            #expect(error.isPermanent)
            #expect(error.curlCode == nil)
        }
        let error = try await #require(throws: SMTPError.self) {
            try await client(port: closed.port).send(message(to: []))
        }
        #expect(error.isPermanent)
    }

    @Test("ten concurrent sends all arrive")
    func concurrentSends() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let client = client(port: sink.port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                let mail = MailMessage(from: Self.sender, to: [.init("user\(index)@example.test")], subject: "Nachricht \(index) – ü",
                                       text: "Body \(index)", messageID: "concurrent-\(index)@bazaar")
                group.addTask { try await client.send(mail) }
            }
            try await group.waitForAll()
        }
        let received = try sink.received()
        #expect(received.count == 10)
        #expect(Set(received.map(\.messageID)) == Set((0..<10).map { "<concurrent-\($0)@bazaar>" }))
        for mail in received {
            let index = mail.messageID.dropFirst("<concurrent-".count).prefix { $0.isNumber }
            #expect(mail.subject == "Nachricht \(index) – ü")
            #expect(mail.recipients == ["user\(index)@example.test"])
            #expect(mail.text == "Body \(index)")
        }
    }

    @Test("cancelling the task aborts a transfer that is waiting on the server")
    func cancellationAbortsTheTransfer() async throws {
        let silent = try BoundSocket(listening: true)
        defer { silent.close() }
        // An hour's timeout: only the cancellation can end the transfer within the test's limit.
        let client = client(port: silent.port, timeout: .seconds(3600))
        let task = Task { try await client.send(message(to: ["ada@example.test"])) }
        // Give the transfer a moment to connect and wait for the greeting; cancelling earlier
        // would also end in CancellationError, only without exercising the abort.
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = try await finishing("the cancelled transfer to end", within: .seconds(120)) { await task.result }
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test("4xx replies are temporary, 5xx and refused credentials permanent, no reply temporary")
    func classification() {
        #expect(CurlSMTPTransfer.isPermanent(curlCode: 55, responseCode: 550))
        #expect(!CurlSMTPTransfer.isPermanent(curlCode: 55, responseCode: 451))
        #expect(CurlSMTPTransfer.isPermanent(curlCode: 67, responseCode: 535))
        #expect(!CurlSMTPTransfer.isPermanent(curlCode: 67, responseCode: 454))
        #expect(!CurlSMTPTransfer.isPermanent(curlCode: 7, responseCode: nil))
        #expect(!CurlSMTPTransfer.isPermanent(curlCode: 28, responseCode: 250))
        #expect(CurlSMTPTransfer.milliseconds(.seconds(30)) == 30_000)
        #expect(CurlSMTPTransfer.milliseconds(.milliseconds(1_500)) == 1_500)
        #expect(CurlSMTPTransfer.milliseconds(.zero) == 1)
    }
}

/// A loopback TCP socket on a kernel-chosen port, bound (connections are refused) or listening
/// without ever accepting (connections hang before the greeting).
final class BoundSocket: Sendable {
    let descriptor: Int32
    let port: Int

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(listening: Bool = false) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound, !listening || listen(descriptor, 16) == 0 else {
            Glibc.close(descriptor)
            throw Failure(description: "bind()/listen() failed: \(errno)")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        Glibc.close(descriptor)
    }
}
