#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback ports for servers a test starts itself.
public enum LoopbackPort {
    /// Where ports are picked: below Linux's ephemeral range (32768–60999 by default), so neither
    /// an outgoing connection nor a server bound to port 0 (other tests run alongside) can take the
    /// port between the pick and the server's start, as happened with kernel-chosen ports.
    public static let range = 20_000..<32_000

    /// A TCP port on 127.0.0.1 nothing is bound to right now, picked at random from ``range``.
    public static func free() throws -> Int {
        for _ in 0..<500 {
            let port = Int.random(in: range)
            if canBind(port) { return port }
        }
        throw NoFreePort(description: "no bindable loopback port found in \(range)")
    }

    /// An offset that moves every one of `ports` to a free port in ``range`` (a second platform's
    /// services beside the first).
    public static func freeOffset(for ports: [Int]) throws -> Int {
        guard let lowest = ports.min(), let highest = ports.max(), highest - lowest < range.count else {
            throw NoFreePort(description: "ports \(ports) do not fit in \(range)")
        }
        for _ in 0..<500 {
            let offset = Int.random(in: range.lowerBound...(range.upperBound - 1 - (highest - lowest))) - lowest
            if ports.allSatisfy({ canBind($0 + offset) }) { return offset }
        }
        throw NoFreePort(description: "no free shift of \(ports) within \(range)")
    }

    /// Whether a server could bind 127.0.0.1:`port` now (with `SO_REUSEADDR`, as servers do).
    public static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: in_addr_t(UInt32(0x7F00_0001).bigEndian))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        PrivateMongo.acceptsConnections(port: port)
    }

    public struct NoFreePort: Error, CustomStringConvertible {
        public let description: String
    }
}
