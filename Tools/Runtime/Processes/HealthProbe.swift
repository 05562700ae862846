import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks local ports with plain sockets on 127.0.0.1: whether a port is free, and the status
/// code of an HTTP GET. A raw socket keeps proxies configured in the environment out of the way
/// and needs nothing beyond the C library; the blocking calls run on a Dispatch queue.
public enum HealthProbe {
    /// The status code of `GET path` on 127.0.0.1:`port`, or nil if nothing answered in time.
    public static func httpStatus(port: Int, path: String, timeoutSeconds: Int = 2) async -> Int? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: blockingHTTPStatus(port: port, path: path, timeoutSeconds: timeoutSeconds))
            }
        }
    }

    /// Whether nothing listens on 127.0.0.1:`port`, tested by binding it.
    public static func isPortAvailable(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func blockingHTTPStatus(port: Int, path: String, timeoutSeconds: Int) -> Int? {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        // On Linux the send timeout also bounds connect().
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: bazaar\r\nConnection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, sendFlags) }
        guard sent == bytes.count else { return nil }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !response.contains(UInt8(ascii: "\n")) && response.count < 8192 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        // Status line: HTTP/1.1 200 OK
        let statusLine = String(decoding: response.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: in_addr_t(UInt32(0x7F00_0001).bigEndian))
        return address
    }

    #if canImport(Glibc)
    private static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    /// A peer closing early must not raise SIGPIPE in a command that does not watch signals.
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamSocketType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif
}
