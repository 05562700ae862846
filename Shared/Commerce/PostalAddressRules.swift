public import BazaarContracts
public import BazaarCore
import Foundation

/// The fields of a postal address as a client sends them: anything may be missing or wrong
/// until ``PostalAddress/validated(_:fieldPrefix:into:)`` checked it.
public struct PostalAddressInput: Decodable, Sendable, Equatable {
    public var name: String?
    public var line1: String?
    public var line2: String?
    public var city: String?
    public var postalCode: String?
    public var country: String?
    public var phone: String?

    public init(name: String?, line1: String?, line2: String? = nil, city: String?, postalCode: String?, country: String?, phone: String? = nil) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.country = country
        self.phone = phone
    }
}

extension PostalAddress {
    /// The address rules every service applies alike (the user's address book, the cart's
    /// checkout): name, first line, city and postal code required; lengths bounded; no control
    /// characters; postal code of letters, digits, spaces and hyphens; an assigned ISO 3166-1
    /// alpha-2 country (upper-cased); an optional phone of 7–15 digits. Values are trimmed.
    ///
    /// Records every failed field in `validation` (named `fieldPrefix` + field, e.g.
    /// `shippingAddress.city`) and returns nil when any failed.
    public static func validated(_ input: PostalAddressInput, fieldPrefix: String = "", into validation: inout Validation) -> PostalAddress? {
        let before = validation.errors.count
        let name = validation.text(input.name, fieldPrefix + "name", maxLength: 100)
        let line1 = validation.text(input.line1, fieldPrefix + "line1", maxLength: 200)
        let line2 = validation.text(input.line2, fieldPrefix + "line2", required: false, maxLength: 200)
        let city = validation.text(input.city, fieldPrefix + "city", maxLength: 100)
        let postalCode = validation.text(input.postalCode, fieldPrefix + "postalCode", maxLength: 16)
        if let postalCode {
            validation.require(postalCode.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == " " || $0 == "-" },
                               fieldPrefix + "postalCode", "may contain only letters, digits, spaces and hyphens")
        }
        let country = validation.text(input.country, fieldPrefix + "country", maxLength: 2)?.uppercased()
        if let country {
            validation.require(Countries.codes.contains(country), fieldPrefix + "country", "must be an ISO 3166-1 alpha-2 country code such as DE or GB")
        }
        let phone = validation.text(input.phone, fieldPrefix + "phone", required: false, maxLength: 20)
        if let phone {
            let digits = phone.filter(\.isASCII).filter(\.isNumber).count
            let allowed = phone.enumerated().allSatisfy { index, character in
                (character.isASCII && character.isNumber) || " ()-./".contains(character) || (index == 0 && character == "+")
            }
            validation.require(allowed && (7...15).contains(digits), fieldPrefix + "phone",
                               "must be a phone number of 7 to 15 digits, optionally starting with + (spaces, hyphens and brackets allowed)")
        }
        guard validation.errors.count == before, let name, let line1, let city, let postalCode, let country else { return nil }
        return PostalAddress(name: name, line1: line1, line2: line2, city: city, postalCode: postalCode, country: country, phone: phone)
    }
}

/// ISO 3166-1 alpha-2 codes officially assigned.
public enum Countries {
    public static let codes: Set<String> = Set("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
        JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
        MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
        RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
        TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
