import BazaarCore
import Foundation
import Testing

@Suite("Secrets sealed into events")
struct SecretSealerTests {
    static let key = "k3y-" + String(repeating: "0123456789", count: 4)

    @Test("a sealed secret opens with the key and context it was sealed with, and hides the secret")
    func roundTrip() throws {
        let sealer = try SecretSealer(key: Self.key)
        let sealed = try sealer.seal("reset-token-value", context: "reset:u-1")
        #expect(!sealed.contains("reset-token-value"))
        #expect(sealed.hasPrefix("v1."))
        #expect(sealed.split(separator: ".").map(\.count).prefix(2) == [2, 16])
        #expect(try sealer.open(sealed, context: "reset:u-1") == "reset-token-value")
        // A fresh nonce every time: the same secret never seals to the same text.
        #expect(try sealer.seal("reset-token-value", context: "reset:u-1") != sealed)
    }

    @Test("another context, another key, a changed byte or a malformed value do not open")
    func refusals() throws {
        let sealer = try SecretSealer(key: Self.key)
        let sealed = try sealer.seal("secret", context: "reset:u-1")
        #expect(throws: SecretSealer.SealingError.self) { try sealer.open(sealed, context: "reset:u-2") }
        #expect(throws: SecretSealer.SealingError.self) { try SecretSealer(key: Self.key + "x").open(sealed, context: "reset:u-1") }
        var bytes = Array(sealed.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SecretSealer.SealingError.self) { try sealer.open(String(decoding: bytes, as: UTF8.self), context: "reset:u-1") }
        for malformed in ["", "secret", "v2" + sealed.dropFirst(2), "v1.abc", "v1.\(sealed.split(separator: ".")[1]).!!!"] {
            #expect(throws: SecretSealer.SealingError.self) { try sealer.open(String(malformed), context: "reset:u-1") }
        }
    }

    @Test("after a key change, values sealed with the previous key still open while it is listed")
    func rotation() throws {
        let old = try SecretSealer(key: Self.key)
        let sealed = try old.seal("in flight", context: "c")
        let rotated = try SecretSealer(key: Self.key + "-next", previousKeys: [Self.key])
        #expect(try rotated.open(sealed, context: "c") == "in flight")
        let new = try rotated.seal("new", context: "c")
        #expect(throws: SecretSealer.SealingError.self, "the old sealer does not hold the new key") { try old.open(new, context: "c") }
    }

    @Test("keys come from EVENT_SEALING_KEY or a file; a missing or short key stops start-up naming the variable")
    func loading() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sealing-\(UUID().uuidString)")
        try (Self.key + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try SecretSealer.load(from: Settings(["EVENT_SEALING_KEY_FILE": file.path]))
        let fromValue = try SecretSealer.load(from: Settings(["EVENT_SEALING_KEY": Self.key]))
        #expect(try fromValue.open(try fromFile.seal("same key", context: "c"), context: "c") == "same key")
        let missing = #expect(throws: ConfigurationError.self) { try SecretSealer.load(from: Settings([:])) }
        #expect(missing?.variable == "EVENT_SEALING_KEY")
        let short = #expect(throws: ConfigurationError.self) { try SecretSealer.load(from: Settings(["EVENT_SEALING_KEY": "too-short"])) }
        #expect(short?.variable == "EVENT_SEALING_KEY")
        let unreadable = #expect(throws: ConfigurationError.self) {
            try SecretSealer.load(from: Settings(["EVENT_SEALING_KEY_FILE": "/nonexistent/sealing-key"]))
        }
        #expect(unreadable?.variable == "EVENT_SEALING_KEY_FILE")
    }
}
