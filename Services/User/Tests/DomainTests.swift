@testable import BazaarUser
import Foundation
import JWTKit
import Testing

@Suite("user domain rules")
struct DomainTests {
    @Test("emails are trimmed and lower-cased; malformed ones are refused", arguments: [
        (" Ada@Example.COM ", "ada@example.com"), ("a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk"),
    ])
    func emailNormalisation(input: String, expected: String) throws {
        #expect(try EmailAddress.parse(input).get().value == expected)
    }

    @Test("malformed emails", arguments: ["", "plain", "a@b", "a@@b.co", "a b@c.de", ".a@b.co", "a..b@c.de", "a@-b.co", "a@b.1", "ä@b.co", "a@b_c.de"])
    func malformedEmail(input: String) {
        #expect((try? EmailAddress.parse(input).get()) == nil)
    }

    @Test("common passwords and their variations are recognised; real passphrases are not")
    func commonPasswords() {
        for password in ["Password123!", "qwerty123456", "1q2w3e4r5t", "!!Welcome2026", "0987654321", "abcdefghij", "zzzzzzzzzzzz", "SUMMER2026"] {
            #expect(CommonPasswords.contains(password), "\(password)")
        }
        for password in ["correct-Horse-battery-9", "tram lines at dusk", "Vg7#kq2!Lm9p"] {
            #expect(!CommonPasswords.contains(password), "\(password)")
        }
    }

    @Test("the password policy reports length, bytes, control characters and account words")
    func passwordPolicy() {
        #expect(PasswordPolicy.problems("short", field: "password", email: nil, name: nil).count == 1)
        #expect(PasswordPolicy.problems(String(repeating: "é", count: 37), field: "password", email: nil, name: nil).count == 1)
        #expect(PasswordPolicy.problems("tab\tseparated-words", field: "password", email: nil, name: nil).count == 1)
        #expect(PasswordPolicy.problems("ada.lovelace1815", field: "password", email: "ada.lovelace@example.com", name: nil).count == 1)
        #expect(PasswordPolicy.problems("Ada Lovelace", field: "password", email: nil, name: "Ada Lovelace").count == 1)
        #expect(PasswordPolicy.problems("correct-Horse-battery-9", field: "password", email: "ada@example.com", name: "Ada").isEmpty)
    }

    @Test("addresses are normalised and checked field by field")
    func addressValidation() throws {
        let valid = try ValidAddress(AddressInput(name: " Ada ", line1: "1 Road", line2: "  ", city: "Berlin", postalCode: "10115", country: "de",
                                                  phone: "+49 (30) 123-4567", isDefault: nil))
        #expect(valid.name == "Ada")
        #expect(valid.line2 == nil)
        #expect(valid.country == "DE")
        #expect(valid.isDefault == false)
        #expect(throws: (any Error).self) {
            try ValidAddress(AddressInput(name: "A", line1: "1", line2: nil, city: "B", postalCode: "1", country: "ZZ", phone: nil, isDefault: nil))
        }
    }

    @Test("key ids are stable RFC 7638 thumbprints, and the JWKS publishes no private parts")
    func keyRing() throws {
        let key = ES256PrivateKey()
        let first = try KeyRing(signingKey: key)
        let second = try KeyRing(signingKey: try ES256PrivateKey(pem: key.pemRepresentation))
        #expect(first.signingKeyID == second.signingKeyID)
        #expect(first.signingKeyID.count == 43)
        let previous = ES256PrivateKey().publicKey
        let rotated = try KeyRing(signingKey: key, previousKeys: [previous, key.publicKey])
        #expect(rotated.published.count == 2)
        let document = try JSONSerialization.jsonObject(with: try rotated.jwksDocument()) as? [String: [[String: String]]]
        #expect(document?["keys"]?.count == 2)
        #expect(document?["keys"]?.allSatisfy { $0["d"] == nil && $0["alg"] == "ES256" && $0["use"] == "sig" } == true)
    }
}
