/// Loopback ports for servers a test starts itself.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 nothing listens on right now.
    public static func free() throws -> Int {
        try PrivateMongo.freeLoopbackPort()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        PrivateMongo.acceptsConnections(port: port)
    }
}
