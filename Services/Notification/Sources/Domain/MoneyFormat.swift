import BazaarContracts

/// Money as a customer reads it in an email: `€49.90`, `£3.50`, `¥1200`, `12.50 CHF`.
enum MoneyFormat {
    /// Digits after the decimal point (ISO 4217 minor units) for currencies that differ from 2.
    private static let minorDigits: [String: Int] = ["JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "HUF": 2, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3]
    private static let symbols: [String: String] = ["EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"]

    static func format(_ money: Money) -> String {
        let code = money.currency.code
        let digits = minorDigits[code] ?? 2
        let negative = money.minorUnits < 0
        let magnitude = money.minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let whole = magnitude / divisor, fraction = magnitude % divisor
        var amount = String(whole)
        if digits > 0 {
            let fractionText = String(fraction)
            amount += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        let sign = negative ? "-" : ""
        if let symbol = symbols[code] { return sign + symbol + amount }
        return sign + amount + " " + code
    }
}
