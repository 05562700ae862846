public import Logging
import NIOPosix

/// Sends email over SMTP with libcurl: one connection and one libcurl handle per message.
///
/// The blocking transfer runs on `NIOThreadPool.singleton`, never on Swift's cooperative pool, so
/// a slow mail server holds up no other task. Cancelling the calling task aborts the transfer.
public final class SMTPClient: Sendable {
    /// The server to send through and the envelope sender.
    public let settings: SMTPSettings
    let logger: Logger

    public init(settings: SMTPSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Sends `message` to every address in its `to` list, with ``SMTPSettings/from`` as the
    /// envelope sender; returns once the server has accepted it for delivery.
    ///
    /// - Throws: ``SMTPError`` (``SMTPError/isPermanent`` tells whether a retry can help), or
    ///   `CancellationError` when the task was cancelled first.
    public func send(_ message: MailMessage) async throws {
        let transfer = try CurlSMTPTransfer(settings: settings, message: message)
        do {
            try await withTaskCancellationHandler {
                try await NIOThreadPool.singleton.runIfActive { try transfer.perform() }
            } onCancel: {
                transfer.cancel()
            }
        } catch let error as SMTPError {
            logger.debug("email not accepted", metadata: ["message_id": .string(message.messageID), "error": .string("\(error)")])
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The thread pool was shut down: the process is stopping, a later attempt may work.
            throw SMTPError(isPermanent: false, responseCode: nil, curlCode: nil, message: "could not start the transfer: \(error)")
        }
        logger.debug("email sent", metadata: ["message_id": .string(message.messageID), "recipients": .stringConvertible(message.to.count)])
    }
}

/// Why a message was not accepted.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// True for a rejection that will not change on retry (a 5xx reply, bad credentials);
    /// false for connection problems, timeouts and 4xx replies.
    public let isPermanent: Bool
    /// The server's last SMTP reply code, when there was one.
    public let responseCode: Int?
    /// libcurl's result code.
    public let curlCode: Int?
    public let message: String

    public init(isPermanent: Bool, responseCode: Int?, curlCode: Int?, message: String) {
        self.isPermanent = isPermanent
        self.responseCode = responseCode
        self.curlCode = curlCode
        self.message = message
    }

    /// True when the failure concerns the mail server itself rather than one message or
    /// recipient: it could not be reached or talked to (no reply: refused connection, timeout,
    /// TLS), it is shutting down (421), or it refused our credentials (454, 530, 534, 535, 538).
    /// A refused recipient or message (450–452, 550–554) says the server works.
    public var concernsServer: Bool {
        guard let responseCode else { return true }
        return [421, 454, 530, 534, 535, 538].contains(responseCode)
    }

    public var description: String {
        "SMTP \(isPermanent ? "rejected" : "failed")\(responseCode.map { " (\($0))" } ?? ""): \(message)"
    }
}
