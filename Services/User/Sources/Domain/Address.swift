import BazaarCommerce
import BazaarContracts
import BazaarCore
import Foundation

/// A saved delivery address, as the API shows it.
struct Address: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var line1: String
    var line2: String?
    var city: String
    var postalCode: String
    /// ISO 3166-1 alpha-2, upper case.
    var country: String
    var phone: String?
    var isDefault: Bool
    var createdAt: Date
    var updatedAt: Date
}

/// The fields a client sends to create or replace an address.
struct AddressInput: Decodable, Sendable {
    var name: String?
    var line1: String?
    var line2: String?
    var city: String?
    var postalCode: String?
    var country: String?
    var phone: String?
    var isDefault: Bool?
}

extension AddressInput {
    enum CodingKeys: String, CodingKey {
        case name, line1, line2, city, postalCode, country, phone, isDefault
    }

    /// `line2` and `phone` may be null (no such line); any other field is a string (or, for
    /// `isDefault`, true or false) or absent, never null.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresentRefusingNull(String.self, forKey: .name)
        line1 = try container.decodeIfPresentRefusingNull(String.self, forKey: .line1)
        line2 = try container.decodeIfPresent(String.self, forKey: .line2)
        city = try container.decodeIfPresentRefusingNull(String.self, forKey: .city)
        postalCode = try container.decodeIfPresentRefusingNull(String.self, forKey: .postalCode)
        country = try container.decodeIfPresentRefusingNull(String.self, forKey: .country)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        isDefault = try container.decodeIfPresentRefusingNull(Bool.self, forKey: .isDefault)
    }
}

/// An address whose fields passed validation, normalised (trimmed, country upper-cased).
struct ValidAddress: Sendable, Equatable {
    var name: String
    var line1: String
    var line2: String?
    var city: String
    var postalCode: String
    var country: String
    var phone: String?
    var isDefault: Bool

    /// Validates every field of `input` at once (the shared address rules); throws a 400 listing each invalid one.
    init(_ input: AddressInput) throws {
        var validation = Validation()
        let address = PostalAddress.validated(PostalAddressInput(name: input.name, line1: input.line1, line2: input.line2, city: input.city,
                                                                 postalCode: input.postalCode, country: input.country, phone: input.phone),
                                              into: &validation)
        try validation.check()
        guard let address else { throw ProblemError.validation([]) }
        self.name = address.name
        self.line1 = address.line1
        self.line2 = address.line2
        self.city = address.city
        self.postalCode = address.postalCode
        self.country = address.country
        self.phone = address.phone
        self.isDefault = input.isDefault ?? false
    }
}
