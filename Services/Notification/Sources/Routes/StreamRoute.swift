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

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("stream", use: stream)
        group.post("stream/tickets", use: issueTicket)
    }

    struct Ticket: ResponseEncodable {
        var ticket: String
        var expiresIn: Int
    }

    @Sendable func issueTicket(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Ticket> {
        let identity = try context.requireUser()
        let ticket = OpaqueToken.generate()
        try await database.withConnection { connection in
            try await store.createStreamTicket(digest: ticket.digest, userID: identity.userID, lifetime: ticketLifetime, on: connection)
        }
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"],
                              response: Ticket(ticket: ticket.value, expiresIn: Int(ticketLifetime.components.seconds)))
    }

    /// The user the stream is for: the bearer token's, or the ticket's (spent by this request).
    private func streamUser(_ request: Request, context: ServiceRequestContext) async throws -> String {
        guard let ticket = request.uri.queryParameters.get("ticket") else { return try context.requireUser().userID }
        let refused = ProblemError.unauthorized("The stream ticket is invalid, expired or already used; ask for a new one.")
        guard OpaqueToken.isWellFormed(ticket) else { throw refused }
        let userID = try await database.withConnection { connection in
            try await store.redeemStreamTicket(digest: OpaqueToken.digest(of: ticket), on: connection)
        }
        guard let userID else { throw refused }
        return userID
    }

    @Sendable func stream(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let events = live.subscribe(userID: try await streamUser(request, context: context))
        let heartbeat = self.heartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
            // nginx passes each event on at once instead of buffering the response.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (frames, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(200))
            let forwarding = Task {
                for await item in events { continuation.yield(Self.frame(item)) }
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
            defer {
                forwarding.cancel()
                beating.cancel()
            }
            try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            for await frame in frames {
                try await writer.write(ByteBuffer(string: frame))
            }
            try await writer.finish(nil)
        })
    }

    /// One SSE event: the event id (so a client can tell duplicates), its type and the CloudEvent.
    static func frame(_ item: LiveEvents.Item) -> String {
        let data = item.json.split(whereSeparator: \.isNewline).joined()
        return "id: \(item.id)\nevent: \(item.type)\ndata: \(data)\n\n"
    }
}
