public import BazaarContracts
public import BazaarCore

/// What links an event to its cause: the trace and request id of the HTTP request, or of the
/// consumed event, that led to it. Events carry both, and consumers log with them.
public struct EventContext: Sendable, Equatable {
    /// The `traceparent` to put on the event.
    public var traceparent: String?
    public var requestID: String?

    public init(traceparent: String?, requestID: String?) {
        self.traceparent = traceparent
        self.requestID = requestID
    }

    /// The context of an HTTP request.
    public init(request context: ServiceRequestContext) {
        self.init(traceparent: context.trace.traceparent, requestID: context.requestID.isEmpty ? nil : context.requestID)
    }

    /// The context of a consumed event, continuing its trace with a new span.
    public init(event attributes: EventAttributes) {
        let trace = attributes.traceparent.flatMap(TraceContext.continuing) ?? .start()
        self.init(traceparent: trace.traceparent, requestID: attributes.requestid)
    }

    /// For events with no request behind them (timers, start-up jobs): a new trace.
    public static func background() -> EventContext {
        EventContext(traceparent: TraceContext.start().traceparent, requestID: nil)
    }
}
