import BazaarCore
import Foundation
import Testing

@Suite("Byte encodings and opaque tokens")
struct ByteEncodingTests {
    @Test("base64url is unpadded, URL-safe, and decodes back; other text is refused")
    func base64URL() {
        let bytes = Data([0xfb, 0xff, 0xbf, 0x00, 0x01])
        #expect(bytes.base64URLEncodedString() == "-_-_AAE")
        #expect(Data(base64URLEncoded: "-_-_AAE") == bytes)
        #expect(Data(base64URLEncoded: "-_-_AAE=") == bytes)
        #expect(Data(base64URLEncoded: "not base64url!") == nil)
    }

    @Test("hex is two lower-case digits per byte")
    func hex() {
        #expect([UInt8]([0x00, 0x0f, 0xa0, 0xff]).hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }

    @Test("opaque tokens are 256-bit base64url and differ every time")
    func opaqueTokens() {
        let tokens = (0..<100).map { _ in OpaqueToken.generate().value }
        #expect(Set(tokens).count == 100)
        #expect(tokens.allSatisfy(OpaqueToken.isWellFormed))
        #expect(tokens.allSatisfy { Data(base64URLEncoded: $0)?.count == 32 })
        #expect(!OpaqueToken.isWellFormed("short"))
        #expect(!OpaqueToken.isWellFormed(String(repeating: "+", count: 43)))
        #expect(OpaqueToken.digest(of: "a").count == 32)
    }
}
