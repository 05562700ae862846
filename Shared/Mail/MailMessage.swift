public import Foundation

/// An email with a plain-text and an HTML version (multipart/alternative), ready to be sent.
public struct MailMessage: Sendable, Equatable {
    /// An address with an optional display name: `Bazaar <shop@bazaar.dev>`.
    public struct Address: Sendable, Equatable {
        public var email: String
        public var name: String?

        public init(_ email: String, name: String? = nil) {
            self.email = email
            self.name = name
        }

        /// The header form, the display name encoded when it is not plain ASCII.
        var headerValue: String {
            guard let name, !name.isEmpty else { return "<\(email)>" }
            let printable = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
            return (printable ? "\"\(name)\"" : MailMessage.encodedWord(name)) + " <\(email)>"
        }
    }

    public var from: Address
    public var to: [Address]
    public var subject: String
    public var text: String
    public var html: String?
    /// `Message-ID` without angle brackets; unique per message (also used to deduplicate in the sink).
    public var messageID: String
    public var date: Date

    public init(from: Address, to: [Address], subject: String, text: String, html: String? = nil,
                messageID: String = "\(UUID().uuidString.lowercased())@bazaar", date: Date = Date()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The message in RFC 5322 form with CRLF line ends: UTF-8 bodies in base64, the subject as
    /// an RFC 2047 encoded word when it is not plain ASCII.
    public func rendered() -> [UInt8] {
        var lines = [
            "From: \(from.headerValue)",
            "To: \(to.map(\.headerValue).joined(separator: ", "))",
            "Subject: \(Self.isPlainASCII(subject) ? subject : Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        if let html {
            let boundary = "bazaar-\(UUID().uuidString.lowercased())"
            lines += ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "", "This is a multi-part message in MIME format.", ""]
            lines += ["--\(boundary)"] + Self.part(text, type: "text/plain") + [""]
            lines += ["--\(boundary)"] + Self.part(html, type: "text/html") + [""]
            lines += ["--\(boundary)--", ""]
        } else {
            lines += Self.part(text, type: "text/plain") + [""]
        }
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    static func part(_ body: String, type: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString()
        var chunks: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            chunks.append(String(encoded[index..<end]))
            index = end
        }
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""] + chunks
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// `=?utf-8?B?…?=` (RFC 2047); header injection is impossible because no raw text remains.
    static func encodedWord(_ text: String) -> String {
        "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
