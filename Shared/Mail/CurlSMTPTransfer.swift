import CCurlShim

/// One message's submission through a libcurl easy handle, which this class creates, owns and
/// frees; nothing outside it sees the handle.
///
/// ``perform()`` blocks (connect, TLS, the SMTP exchange), so callers run it on a thread pool,
/// never on Swift's cooperative pool. ``cancel()`` may be called from any thread meanwhile.
final class CurlSMTPTransfer: @unchecked Sendable {
    // `@unchecked Sendable`: `handle`, `recipients` and `errorBuffer` are only used by `perform()`
    // (and `deinit`), which callers run once, on one thread; `cancel()` only sets the C upload's
    // atomic flag. The upload's bytes are a private C copy that nothing mutates.

    /// Created by `perform()`: `curl_global_init` may load TLS configuration from disk, which
    /// belongs on the thread pool too.
    private var handle: UnsafeMutableRawPointer?
    private let upload: OpaquePointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var recipients: UnsafeMutablePointer<curl_slist>?
    private let envelope: Envelope
    private let settings: SMTPSettings

    /// `curl_global_init` exactly once per process: a `static let` is initialised lazily and
    /// thread-safely, here before the first handle is created (`curl_global_init` itself is
    /// thread-safe only in builds with `CURL_VERSION_THREADSAFE`).
    private static let globalInitialization: CURLcode = bazaar_curl_global_init()

    /// Checks the envelope and copies `message.rendered()` into C memory; touches no network and
    /// no libcurl state yet, so it is fine on any thread.
    init(settings: SMTPSettings, message: MailMessage) throws {
        let envelope = try Envelope(settings: settings, message: message)
        let bytes = message.rendered()
        guard let upload = bytes.withUnsafeBufferPointer({ bazaar_curl_upload_create($0.baseAddress, $0.count) }) else {
            throw SMTPError(isPermanent: false, responseCode: nil, curlCode: nil, message: "out of memory for a \(bytes.count)-byte message")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.upload = upload
        self.errorBuffer = errorBuffer
        self.envelope = envelope
        self.settings = settings
    }

    deinit {
        // The handle first: it refers to the recipient list, the upload and the error buffer.
        if let handle { curl_easy_cleanup(handle) }
        curl_slist_free_all(recipients)
        bazaar_curl_upload_destroy(upload)
        errorBuffer.deallocate()
    }

    /// Makes a running ``perform()`` stop soon with `CancellationError`; safe from any thread.
    func cancel() {
        bazaar_curl_upload_cancel(upload)
    }

    /// Connects, submits the message and waits for the server's verdict. Blocking; call once.
    ///
    /// - Throws: ``SMTPError``, or `CancellationError` after ``cancel()``.
    func perform() throws {
        let initialization = Self.globalInitialization
        guard initialization == CURLE_OK else {
            throw SMTPError(isPermanent: false, responseCode: nil, curlCode: Int(initialization.rawValue),
                            message: "curl_global_init failed: \(String(cString: curl_easy_strerror(initialization)))")
        }
        precondition(handle == nil, "a transfer is performed once")
        guard let handle = curl_easy_init() else {
            throw SMTPError(isPermanent: false, responseCode: nil, curlCode: nil, message: "curl_easy_init failed")
        }
        self.handle = handle
        try configure(handle)
        let code = curl_easy_perform(handle)
        if code == CURLE_OK { return }
        if code == CURLE_ABORTED_BY_CALLBACK { throw CancellationError() }
        throw failure(code, handle: handle)
    }

    private func configure(_ handle: UnsafeMutableRawPointer) throws {
        let scheme = settings.security == .tls ? "smtps" : "smtp"
        // An IPv6 literal needs brackets in a URL.
        let host = settings.host.contains(":") && !settings.host.hasPrefix("[") ? "[\(settings.host)]" : settings.host
        try set(CURLOPT_URL, "\(scheme)://\(host):\(settings.port)")
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try set(CURLOPT_USE_SSL, Int(settings.security == .none ? CURLUSESSL_NONE.rawValue : CURLUSESSL_ALL.rawValue))
        if let username = settings.username { try set(CURLOPT_USERNAME, username) }
        if let password = settings.password { try set(CURLOPT_PASSWORD, password) }
        try set(CURLOPT_MAIL_FROM, "<\(envelope.sender)>")
        for recipient in envelope.recipients {
            guard let appended = curl_slist_append(recipients, "<\(recipient)>") else {
                throw SMTPError(isPermanent: false, responseCode: nil, curlCode: nil, message: "curl_slist_append failed")
            }
            recipients = appended
        }
        try set(CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients))
        let milliseconds = Self.milliseconds(settings.timeout)
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        try set(CURLOPT_TIMEOUT_MS, milliseconds)
        // Without it, libcurl's timeouts use SIGALRM, which is not safe in a multi-threaded process.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try check(bazaar_curl_install_upload(handle, upload), while: "installing the upload callbacks")
    }

    /// The error for a failed transfer: curl's code and words, the server's reply when it
    /// refused, and whether trying again later can succeed.
    private func failure(_ code: CURLcode, handle: UnsafeMutableRawPointer) -> SMTPError {
        var reply = 0
        _ = bazaar_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let responseCode = reply > 0 ? reply : nil
        let summary = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? summary : detail
        var message = text.hasSuffix(summary) ? "\(text) (curl \(code.rawValue))" : "\(text) (curl \(code.rawValue): \(summary))"
        let refusal = String(cString: bazaar_curl_upload_last_refusal(upload))
        if !refusal.isEmpty {
            message += "; server replied: \(refusal)"
        }
        return SMTPError(isPermanent: Self.isPermanent(curlCode: Int(code.rawValue), responseCode: responseCode), responseCode: responseCode,
                         curlCode: Int(code.rawValue), message: redacted(message))
    }

    /// 4xx replies are temporary by definition (RFC 5321 §4.2.1), even a "454 temporary
    /// authentication failure" that libcurl reports as `CURLE_LOGIN_DENIED`; 5xx replies and
    /// refused credentials stay refused. Anything without a reply (refused connection, timeout,
    /// TLS handshake) may work next time.
    static func isPermanent(curlCode: Int, responseCode: Int?) -> Bool {
        if let responseCode, (400..<500).contains(responseCode) { return false }
        if curlCode == Int(CURLE_LOGIN_DENIED.rawValue) { return true }
        if let responseCode, (500..<600).contains(responseCode) { return true }
        return false
    }

    /// Never lets the password into an error message, whatever a server or libcurl echoed.
    private func redacted(_ text: String) -> String {
        guard let password = settings.password, !password.isEmpty else { return text }
        return text.split(separator: password, omittingEmptySubsequences: false).joined(separator: "***")
    }

    /// libcurl's millisecond timeouts, at least 1 (0 would mean "no timeout").
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let capped = min(max(seconds, 0), 86_400 * 365)
        return max(1, Int(capped) * 1_000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(bazaar_curl_setopt_long(handle, option, value), while: "setting option \(option.rawValue)")
    }

    /// libcurl copies string options, so the temporary C string may go away after the call.
    private func set(_ option: CURLoption, _ value: String) throws {
        let code = value.withCString { bazaar_curl_setopt_pointer(handle, option, UnsafeMutableRawPointer(mutating: $0)) }
        try check(code, while: "setting option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws {
        try check(bazaar_curl_setopt_pointer(handle, option, value), while: "setting option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, while doing: String) throws {
        guard code != CURLE_OK else { return }
        throw SMTPError(isPermanent: false, responseCode: nil, curlCode: Int(code.rawValue),
                        message: "libcurl failed \(doing): \(String(cString: curl_easy_strerror(code)))")
    }
}

/// The SMTP envelope: `MAIL FROM` is the configured sender (the account the server lets us send
/// as), `RCPT TO` every `To` address.
struct Envelope: Sendable, Equatable {
    var sender: String
    var recipients: [String]

    /// Refuses addresses that could smuggle SMTP commands or headers (line breaks, control
    /// characters, angle brackets); such a message can never be sent, so the error is permanent.
    init(settings: SMTPSettings, message: MailMessage) throws {
        guard !message.to.isEmpty else {
            throw SMTPError(isPermanent: true, responseCode: nil, curlCode: nil, message: "the message has no recipients")
        }
        for address in [settings.from, message.from] + message.to where !Self.isSafe(address.email) {
            throw SMTPError(isPermanent: true, responseCode: nil, curlCode: nil,
                            message: "invalid email address \(address.email.debugDescription)")
        }
        sender = settings.from.email
        recipients = message.to.map(\.email)
    }

    static func isSafe(_ email: String) -> Bool {
        !email.isEmpty && email.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "<" && scalar != ">"
        }
    }
}
