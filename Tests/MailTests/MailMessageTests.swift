@testable import BazaarMail
import Foundation
import Testing

@Suite("mail messages")
struct MailMessageTests {
    @Test("a message renders as multipart/alternative with CRLF lines, base64 UTF-8 parts and an encoded subject")
    func rendering() throws {
        let message = MailMessage(from: .init("shop@bazaar.test", name: "Bazaar Ünd Co"), to: [.init("ada@example.com", name: "Ada")],
                                  subject: "Ihre Bestellung – danke", text: "Grüße\nAda", html: "<p>Grüße</p>", messageID: "m-1@bazaar",
                                  date: Date(timeIntervalSince1970: 0))
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(text.contains("Subject: =?utf-8?B?\(Data("Ihre Bestellung – danke".utf8).base64EncodedString())?=\r\n"))
        #expect(text.contains("From: =?utf-8?B?"))
        #expect(text.contains("To: \"Ada\" <ada@example.com>\r\n"))
        #expect(text.contains("Message-ID: <m-1@bazaar>\r\n"))
        #expect(text.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(text.contains("Content-Type: multipart/alternative; boundary="))
        #expect(text.contains(Data("Grüße\nAda".utf8).base64EncodedString()))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test("a subject with a line break cannot inject headers")
    func headerInjection() {
        let message = MailMessage(from: .init("a@b.test"), to: [.init("c@d.test")], subject: "Hi\r\nBcc: victim@example.com", text: "x")
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(!text.contains("\r\nBcc:"))
    }
}
