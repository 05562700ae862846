import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `infrastructure/scripts/smtp-sink.py` started directly (as tests of permanent failures do):
/// real SMTP from Python's `smtplib`, files in the mail folder, refused domains, a clean stop.
@Suite("SMTP sink script")
struct SMTPSinkTests {
    @Test("stores each accepted message as one .eml file with the envelope, refuses rejected domains, stops on SIGTERM",
          .timeLimit(.minutes(1)))
    func storesAndRejects() async throws {
        let folder = try TemporaryDirectory.create(prefix: "bazaar-smtp-sink-test")
        defer { folder.remove() }
        let mail = folder.path + "/mail"
        let port = try LoopbackPort.free()
        let output = folder.path + "/sink.log"
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        let log = try FileHandle(forWritingTo: URL(filePath: output))
        let sink = Process()
        sink.executableURL = URL(filePath: try ProjectFiles.python())
        sink.arguments = ["-u", ProjectFiles.smtpSinkScript, "--port", String(port), "--dir", mail,
                          "--reject-domain", "refused.test", "--reject-domain", "Bounce.Example"]
        sink.standardOutput = log
        sink.standardError = log
        sink.standardInput = FileHandle.nullDevice
        try sink.run()
        var failure: (any Error)?
        do {
            try await exercise(port: port, mail: mail, logPath: output, sink: sink)
        } catch {
            failure = error
        }
        // SIGTERM must stop it within seconds; one that ignores it is killed, so the test never hangs.
        if sink.isRunning { kill(sink.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while sink.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let stoppedBySIGTERM = !sink.isRunning
        if !stoppedBySIGTERM { kill(sink.processIdentifier, SIGKILL) }
        await TestProcess.waitForExit(sink)
        try? log.close()
        let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(stoppedBySIGTERM && sink.terminationReason == .exit && sink.terminationStatus == 0,
                "the sink did not exit cleanly on SIGTERM:\n\(printed)")
        #expect(printed.contains("smtp-sink listening on 127.0.0.1:\(port)"), "\(printed)")
        if let failure { throw failure }
    }

    private func exercise(port: Int, mail: String, logPath: String, sink: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while HealthProbe.isPortAvailable(port) {
            let printed = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            try #require(sink.isRunning, "the sink exited before listening:\n\(printed)")
            try #require(ContinuousClock.now < deadline, "the sink did not listen within 20 s:\n\(printed)")
            try await Task.sleep(for: .milliseconds(100))
        }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: mail, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect((try FileManager.default.attributesOfItem(atPath: mail)[.posixPermissions] as? Int) == 0o700)

        // Accepted: one file, the raw message after the envelope headers, dot-unstuffed.
        let first = try await MailSender.send(port: port, from: "shop@bazaar.local", to: ["anna@example.com"], subject: "Order 1 confirmed")
        #expect(first.status == 0 && first.output.contains("sent"), "\(first.output)")
        let afterFirst = emlFiles(in: mail)
        try #require(afterFirst.count == 1, "\(afterFirst)")
        let name = try #require(afterFirst.first)
        #expect(name.wholeMatch(of: #/[0-9]{19}-[0-9a-f]{32}\.eml/#) != nil, "\(name)")
        let path = mail + "/" + name
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("X-Bazaar-Envelope-From: shop@bazaar.local\r\nX-Bazaar-Envelope-To: anna@example.com\r\n"), "\(text)")
        #expect(text.contains("\r\nSubject: Order 1 confirmed\r\n"), "\(text)")
        #expect(text.contains("\r\n.A line that starts with a dot.\r\n"), "\(text)")

        // Every recipient refused: 550 5.1.1, nothing stored. Domains match without regard to case.
        let refused = try await MailSender.send(port: port, from: "shop@bazaar.local", to: ["nobody@REFUSED.test"], subject: "Refused")
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("refused nobody@REFUSED.test 550 5.1.1 mailbox unavailable"), "\(refused.output)")

        // Some recipients refused: the message is stored for the accepted ones only.
        let mixed = try await MailSender.send(port: port, from: "shop@bazaar.local",
                                              to: ["ben@example.com", "gone@bounce.example"], subject: "Order 2 confirmed")
        #expect(mixed.status == 0, "\(mixed.output)")
        #expect(mixed.output.contains("refused gone@bounce.example 550"), "\(mixed.output)")
        let afterMixed = emlFiles(in: mail)
        try #require(afterMixed.count == 2, "\(afterMixed)")
        #expect(afterMixed.first == name, "names sort by arrival: \(afterMixed)")
        let second = try String(contentsOfFile: mail + "/" + afterMixed[1], encoding: .utf8)
        #expect(second.contains("X-Bazaar-Envelope-To: ben@example.com\r\n"), "\(second)")
        #expect(second.contains("Subject: Order 2 confirmed"), "\(second)")
        // Only finished files: no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: mail).sorted() == afterMixed)
    }
}
