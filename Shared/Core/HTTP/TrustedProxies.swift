import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies whose `X-Forwarded-For` entries a service believes (`TRUSTED_PROXIES`).
///
/// Each proxy appends the address it received a request from, so an entry can only be believed
/// when the hop that wrote it is one of ours; anything else in the header was sent by the client
/// and is forged at will (a sign-in throttle keyed by it would be bypassed by changing the header,
/// and an audit log would record the lie). The client's address is therefore found by walking
/// from the connection's peer leftwards through the header while the hops are trusted proxies:
/// the first untrusted hop is the client. A peer that is not a trusted proxy is the client
/// itself, whatever header it sent.
///
/// The default trusts loopback only (the local gateway). Behind Kong or an ingress, list their
/// addresses or networks: `TRUSTED_PROXIES=10.0.0.0/8,fd00::/8`.
public struct TrustedProxies: Sendable, Equatable {
    /// An address block: the network's bytes (4 for IPv4, 16 for IPv6) and its prefix length.
    struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for index in bytes.indices where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let networks: [Network]

    /// 127.0.0.0/8 and ::1: the gateway on the same machine.
    public static let loopback = try! TrustedProxies(["127.0.0.0/8", "::1"])
    /// Nobody: the header is never believed.
    public static let none = TrustedProxies(networks: [])

    init(networks: [Network]) {
        self.networks = networks
    }

    /// Parses addresses (`192.0.2.1`, `::1`) and networks (`10.0.0.0/8`, `fd00::/8`).
    /// - Throws: ``InvalidEntry`` naming the first entry that is neither.
    public init(_ entries: [String]) throws {
        networks = try entries.map { entry in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = parts.first.flatMap(Self.addressBytes) else { throw InvalidEntry(entry: entry) }
            let maximum = bytes.count * 8
            guard let prefixLength = parts.count == 2 ? Int(parts[1]) : maximum, (0...maximum).contains(prefixLength) else {
                throw InvalidEntry(entry: entry)
            }
            return Network(bytes: bytes, prefixLength: prefixLength)
        }
    }

    /// Whether `address` (textual IPv4 or IPv6) is one of the trusted proxies.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.addressBytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address for a request from `peer` carrying `forwardedFor` (every
    /// `X-Forwarded-For` line, in order); nil only without a peer (an in-process test client).
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer else { return nil }
        guard !networks.isEmpty, contains(peer) else { return peer }
        var client = peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0.trimmingOptionalWhitespace) }
        for hop in hops.reversed() {
            // A hop that is not an address was not written by one of our proxies (they write the
            // peer they saw); the last address we could believe is then the best we know.
            guard Self.addressBytes(hop) != nil else { return client }
            client = hop
            if !contains(hop) { return hop }
        }
        return client
    }

    /// The bytes of a textual IPv4 or IPv6 address; an IPv4-mapped IPv6 address gives its IPv4 bytes.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
        return bytes
    }

    /// A `TRUSTED_PROXIES` entry that is neither an address nor a network.
    public struct InvalidEntry: Error, CustomStringConvertible {
        public let entry: String
        public var description: String { "'\(entry)' is neither an IP address nor a network such as 10.0.0.0/8" }
    }
}
