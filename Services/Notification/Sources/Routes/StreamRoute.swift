import BazaarCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/notifications/stream`: Server-Sent Events of the signed-in user's order and payment
/// events as they happen, with a comment line every `heartbeat` so proxies and browsers keep the
/// connection open. A client only ever receives its own user's events.
struct StreamRoute: Sendable {
    let live: LiveEvents
    let heartbeat: Duration

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireUser()
        let events = live.subscribe(userID: identity.userID)
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
