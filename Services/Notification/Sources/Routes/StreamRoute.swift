import BazaarCore
import BazaarPostgres
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/notifications/stream`: Server-Sent Events of the signed-in user's order and payment
/// events as they happen, with a comment line every `heartbeat` so proxies and browsers keep the
/// connection open. A client only ever receives its own user's events.
///
/// A browser's `EventSource` cannot send an `Authorization` header, so a signed-in client may
/// instead ask `POST /api/notifications/stream/tickets` for a ticket (single use, valid
/// `ticketLifetime`) and open `GET /api/notifications/stream?ticket=…`. The access token never
/// appears in a URL (and so never in a proxy's access log).
struct StreamRoute: Sendable {
    let live: LiveEvents
    let heartbeat: Duration
    let database: PostgresStore
    let store: NotificationStore
    let ticketLifetime: Duration
    /// Unspent, unexpired tickets a user may hold at once (`NOTIFICATION_STREAM_TICKETS_PER_USER`).
    let ticketsPerUser: Int

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("stream", use: stream)
        group.post("stream/tickets", use: issueTicket)
    }

    struct Ticket: ResponseEncodable {
        var ticket: String
        var expiresIn: Int
    }

    /// A ticket stands for the token that asked for it: it expires with that token at the latest,
    /// and the stream it opens is that token's (ended with it, refused when it would be).
    @Sendable func issueTicket(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Ticket> {
        let identity = try context.requireUser()
        let ticket = OpaqueToken.generate()
        let lifetime = min(ticketLifetime, identity.expiresAt.map { .seconds(max(0, $0.timeIntervalSinceNow.rounded(.down))) } ?? ticketLifetime)
        let issued = try await database.transaction { connection in
            try await store.createStreamTicket(digest: ticket.digest, for: identity, lifetime: lifetime, limit: ticketsPerUser, on: connection)
        }
        guard issued else {
            throw ProblemError.tooManyRequests(
                retryAfterSeconds: Int(ticketLifetime.components.seconds),
                detail: "At most \(ticketsPerUser) unused stream tickets per account at once; use one or wait until they expire.")
        }
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"],
                              response: Ticket(ticket: ticket.value, expiresIn: Int(lifetime.components.seconds)))
    }

    /// Who the stream is for: the bearer token's holder, or the ticket's (spent by this request).
    private func streamIdentity(_ request: Request, context: ServiceRequestContext) async throws -> Identity {
        guard let ticket = request.uri.queryParameters.get("ticket") else { return try context.requireUser() }
        let refused = ProblemError.unauthorized("The stream ticket is invalid, expired or already used; ask for a new one.")
        guard OpaqueToken.isWellFormed(ticket) else { throw refused }
        let identity = try await database.withConnection { connection in
            try await store.redeemStreamTicket(digest: OpaqueToken.digest(of: ticket), on: connection)
        }
        guard let identity else { throw refused }
        return identity
    }

    @Sendable func stream(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try await streamIdentity(request, context: context)
        let deliveries: AsyncStream<LiveEvents.Delivery>
        do {
            deliveries = try live.subscribe(identity)
        } catch {
            throw ProblemError.unauthorized(error.reason)
        }
        let heartbeat = self.heartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
            // nginx passes each event on at once instead of buffering the response.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (frames, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(200))
            let forwarding = Task {
                for await delivery in deliveries { continuation.yield(Self.frame(delivery)) }
                continuation.finish()
            }
            let beating = Task {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: heartbeat)
                    } catch {
                        return  // the stream ended
                    }
                    continuation.yield(": heartbeat\n\n")
                }
            }
            // The token that opened the stream stops being good when it expires; so does the stream.
            let expiring = Task {
                guard let expiresAt = identity.expiresAt else { return }
                do {
                    try await Task.sleep(for: .milliseconds(max(0, Int(expiresAt.timeIntervalSinceNow * 1000))))
                } catch {
                    return
                }
                continuation.yield(Self.frame(.end(reason: "The access token expired; open the stream again with a fresh one.")))
                continuation.finish()
            }
            defer {
                forwarding.cancel()
                beating.cancel()
                expiring.cancel()
            }
            try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            for await frame in frames {
                try await writer.write(ByteBuffer(string: frame))
            }
            try await writer.finish(nil)
        })
    }

    /// One SSE frame. An event carries its id (so a client can tell duplicates), its type and the
    /// CloudEvent; the end of the stream is an `end` event whose data (one line of text) says why (a client should
    /// not reconnect with the same credentials), after which the server closes the response.
    static func frame(_ delivery: LiveEvents.Delivery) -> String {
        switch delivery {
        case .event(let item):
            let data = item.json.split(whereSeparator: \.isNewline).joined()
            return "id: \(item.id)\nevent: \(item.type)\ndata: \(data)\n\n"
        case .end(let reason):
            return "event: end\ndata: \(reason.split(whereSeparator: \.isNewline).joined(separator: " "))\n\n"
        }
    }
}
