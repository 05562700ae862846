import BazaarCore
import Foundation
import Logging
import PostgresNIO

/// One audit entry as administrators read it.
struct AuditEntry: Codable, Sendable, Equatable {
    var id: Int64
    var occurredAt: Date
    var action: String
    var actorId: String?
    var targetId: String?
    var targetEmail: String?
    var ipAddress: String?
    var requestId: String?
    var details: [String: String]
}

/// Who caused an audited event and from where.
struct AuditSource: Sendable {
    var actorID: UUID?
    var ipAddress: String?
    var requestID: String?
}

/// The audit table: security events and administrator actions. Entries are written in the
/// transaction of the change they describe, so the log never claims a change that rolled back
/// (and never misses one that committed).
struct AuditLog: Sendable {
    let logger: Logger

    func record(_ action: AuditAction, source: AuditSource, targetID: UUID?, targetEmail: String?, details: [String: String] = [:],
                on connection: PostgresConnection) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let detailsJSON = String(decoding: try encoder.encode(details), as: UTF8.self)
        try await connection.query("""
            INSERT INTO audit_log (action, actor_id, target_id, target_email, ip_address, request_id, details)
            VALUES (\(action.rawValue), \(source.actorID), \(targetID), \(targetEmail.map { String($0.prefix(254)) }),
                    \(source.ipAddress), \(source.requestID), \(detailsJSON)::jsonb)
            """, logger: logger)
    }

    /// A page of entries, newest first.
    func entries(page: PageRequest, on connection: PostgresConnection) async throws -> (items: [AuditEntry], total: Int) {
        var total = 0
        for try await count in try await connection.query("SELECT count(*) FROM audit_log", logger: logger).decode(Int.self) { total = count }
        let rows = try await connection.query("""
            SELECT id, occurred_at, action, actor_id, target_id, target_email, ip_address, request_id, details::text
            FROM audit_log ORDER BY occurred_at DESC, id DESC LIMIT \(page.limit) OFFSET \(page.offset)
            """, logger: logger)
        var items: [AuditEntry] = []
        let columns = (Int64, Date, String, UUID?, UUID?, String?, String?, String?, String).self
        for try await (id, occurred, action, actor, target, email, ip, requestID, details) in rows.decode(columns) {
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(details.utf8))
            items.append(AuditEntry(id: id, occurredAt: occurred, action: action, actorId: actor?.lowercased, targetId: target?.lowercased, targetEmail: email,
                                    ipAddress: ip, requestId: requestID, details: decoded))
        }
        return (items, total)
    }
}
