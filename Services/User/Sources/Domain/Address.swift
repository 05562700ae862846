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

    /// Validates every field of `input` at once; throws a 400 listing each invalid one.
    init(_ input: AddressInput) throws {
        var validation = Validation()
        let name = validation.text(input.name, "name", maxLength: 100)
        let line1 = validation.text(input.line1, "line1", maxLength: 200)
        let line2 = validation.text(input.line2, "line2", required: false, maxLength: 200)
        let city = validation.text(input.city, "city", maxLength: 100)
        let postalCode = validation.text(input.postalCode, "postalCode", maxLength: 16)
        if let postalCode {
            validation.require(postalCode.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == " " || $0 == "-" },
                               "postalCode", "may contain only letters, digits, spaces and hyphens")
        }
        let country = validation.text(input.country, "country", maxLength: 2)?.uppercased()
        if let country {
            validation.require(Countries.codes.contains(country), "country", "must be an ISO 3166-1 alpha-2 country code such as DE or GB")
        }
        let phone = validation.text(input.phone, "phone", required: false, maxLength: 20)
        if let phone {
            let digits = phone.filter(\.isASCII).filter(\.isNumber).count
            let allowed = phone.enumerated().allSatisfy { index, character in
                (character.isASCII && character.isNumber) || " ()-./".contains(character) || (index == 0 && character == "+")
            }
            validation.require(allowed && (7...15).contains(digits), "phone",
                               "must be a phone number of 7 to 15 digits, optionally starting with + (spaces, hyphens and brackets allowed)")
        }
        try validation.check()
        self.name = name!
        self.line1 = line1!
        self.line2 = line2
        self.city = city!
        self.postalCode = postalCode!
        self.country = country!
        self.phone = phone
        self.isDefault = input.isDefault ?? false
    }
}

/// ISO 3166-1 alpha-2 codes officially assigned.
enum Countries {
    static let codes: Set<String> = Set("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
        JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
        MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
        RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
        TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
