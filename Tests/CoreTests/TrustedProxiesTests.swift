@testable import BazaarCore
import BazaarTestSupport
import HummingbirdTesting
import Testing

@Suite("Client addresses behind trusted proxies")
struct TrustedProxiesTests {
    let gateway = TrustedProxies.loopback

    @Test("a peer that is not a trusted proxy is the client, whatever X-Forwarded-For says")
    func untrustedPeer() {
        #expect(gateway.clientAddress(peer: "198.51.100.7", forwardedFor: ["203.0.113.9"]) == "198.51.100.7")
        #expect(TrustedProxies.none.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9"]) == "127.0.0.1")
    }

    @Test("behind the gateway the client is the hop the gateway added, not what the client sent before it")
    func behindGateway() {
        #expect(gateway.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        #expect(gateway.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.9.9.9, 203.0.113.9"]) == "203.0.113.9")
        #expect(gateway.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.9.9.9", "203.0.113.9"]) == "203.0.113.9")
        #expect(gateway.clientAddress(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(gateway.clientAddress(peer: nil, forwardedFor: ["203.0.113.9"]) == nil)
    }

    @Test("a chain of trusted proxies is walked to the first untrusted hop")
    func chain() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "127.0.0.1"])
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 203.0.113.9, 10.1.2.3"]) == "203.0.113.9")
        // Every hop trusted: the leftmost is the best known.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.1.1.1, 10.2.2.2"]) == "10.1.1.1")
        // Junk our proxies would never write stops the walk at the last believable address.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["<script>, 10.2.2.2"]) == "10.2.2.2")
    }

    @Test("addresses and networks of both families are matched, IPv4-mapped IPv6 as IPv4")
    func matching() throws {
        let proxies = try TrustedProxies(["192.0.2.0/24", "fd00::/8", "::1"])
        #expect(proxies.contains("192.0.2.200"))
        #expect(!proxies.contains("192.0.3.1"))
        #expect(proxies.contains("fd12:3456::1"))
        #expect(!proxies.contains("fe80::1"))
        #expect(proxies.contains("::1"))
        #expect(proxies.contains("::ffff:192.0.2.5"))
        #expect(!proxies.contains("not an address"))
        #expect(TrustedProxies.loopback.contains("127.8.9.10"))
    }

    @Test("TRUSTED_PROXIES: loopback by default, none, a list; a bad entry stops start-up naming the variable")
    func settings() throws {
        #expect(try HTTPSettings.from(Settings([:]), defaultPort: 1).trustedProxies == .loopback)
        #expect(try HTTPSettings.from(Settings(["TRUSTED_PROXIES": "none"]), defaultPort: 1).trustedProxies == .none)
        #expect(try HTTPSettings.from(Settings(["TRUSTED_PROXIES": "10.0.0.0/8, ::1"]), defaultPort: 1).trustedProxies.contains("10.4.4.4"))
        for bad in ["10.0.0.0/33", "gateway", "1.2.3.4/x"] {
            let error = #expect(throws: ConfigurationError.self) { try HTTPSettings.from(Settings(["TRUSTED_PROXIES": bad]), defaultPort: 1) }
            #expect(error?.variable == "TRUSTED_PROXIES")
        }
    }

    @Test("a live request's client address honours the gateway's header only from a trusted peer")
    func liveRequests() async throws {
        for (trusted, expected) in [("127.0.0.1", "203.0.113.9"), ("192.0.2.1", "127.0.0.1")] {
            let host = try ServiceHost.testing(["TRUSTED_PROXIES": trusted])
            host.router.get("/whereami") { _, context in context.clientAddress ?? "none" }
            try await host.makeApplication().test(.live) { client in
                let response = try await client.execute(uri: "/whereami", method: .get, headers: [.xForwardedFor: "203.0.113.9"])
                #expect(String(buffer: response.body) == expected)
            }
        }
    }
}
