/// Passwords attackers try first. Two checks, because exact lists miss variations:
/// - the password, lower-cased, is on the list below (well-known leaked passwords of 10+ characters);
/// - or, once leading and trailing digits and symbols are removed, what is left is a word that
///   such passwords are built on (`Password2024!`, `qwerty123456`, `!!welcome!!`), a keyboard
///   run, a counting sequence or one repeated character.
enum CommonPasswords {
    static func contains(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if exact.contains(lowered) { return true }
        let base = base(of: lowered)
        if base.isEmpty || baseWords.contains(base) { return true }
        if Set(lowered).count <= 2 { return true }
        return isRun(lowered)
    }

    /// `text` without leading and trailing digits and symbols.
    static func base(of text: String) -> String {
        let isFiller: (Character) -> Bool = { !$0.isLetter }
        return String(text.drop(while: isFiller).reversed().drop(while: isFiller).reversed())
    }

    /// Whether the letters and digits of `text` follow a keyboard row or a counting sequence
    /// (`1234567890`, `0987654321`, `abcdefghij`, `asdfghjkl;`, `qwertzuiop`).
    static func isRun(_ text: String) -> Bool {
        let characters = Array(text.filter { $0.isLetter || $0.isNumber })
        guard characters.count >= 6 else { return false }
        return runs.contains { row in
            row.contains(String(characters)) || String(row.reversed()).contains(String(characters))
        }
    }

    private static let runs = [
        "01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop",
        "1qaz2wsx3edc4rfv5tgb", "1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujm", "zaq1xsw2cde3vfr4",
    ]

    private static let baseWords: Set<String> = [
        "password", "passwort", "passw", "pass", "pw", "passwd", "qwerty", "qwertz", "azerty", "asdf", "asdfgh", "zxcv",
        "welcome", "letmein", "admin", "administrator", "root", "login", "user", "test", "guest", "changeme", "secret",
        "iloveyou", "love", "monkey", "dragon", "football", "baseball", "basketball", "soccer", "hockey", "sunshine",
        "princess", "summer", "winter", "spring", "autumn", "master", "shadow", "michael", "superman", "batman",
        "trustno", "abc", "qaz", "qazwsx", "hello", "freedom", "whatever", "starwars", "pokemon", "computer", "internet",
        "default", "bazaar", "shop", "store", "customer", "january", "february", "march", "april", "june", "july",
        "august", "september", "october", "november", "december", "monday", "friday", "sunday", "p", "a", "q", "x",
    ]

    private static let exact: Set<String> = [
        "password123", "password1234", "password12345", "password123456", "password1!", "password01", "password12",
        "passw0rd123", "p@ssw0rd123", "p@ssword123", "p@ssw0rd!!", "pa55w0rd123", "passwordpassword",
        "1234567890", "12345678910", "123456789a", "1234567891", "0987654321", "0123456789", "1111111111",
        "1234512345", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "q1w2e3r4t5y6", "1qaz2wsx3edc", "1qazxsw23edc",
        "zaq12wsxcde3", "qazwsxedc123", "qazwsxedcrfv", "123qweasdzxc", "qweasdzxc123", "qwertyuiop", "qwertyuiop123",
        "qwerty123456", "qwerty12345", "qwerty1234", "asdfghjkl1", "zxcvbnm123", "abcdefghij", "abc1234567",
        "abcd123456", "a1b2c3d4e5", "a1b2c3d4e5f6", "iloveyou12", "iloveyou123", "iloveyou1234", "welcome123",
        "welcome1234", "welcome2024", "welcome2025", "welcome2026", "letmein123", "letmein1234", "changeme123",
        "administrator", "admin12345", "admin123456", "football123", "baseball123", "basketball", "basketball1",
        "superman123", "batman1234", "trustno1234", "sunshine123", "princess123", "monkey12345", "dragon12345",
        "master12345", "shadow12345", "michael123", "computer123", "internet123", "starwars123", "whatever123",
        "google12345", "facebook123", "liverpool1", "liverpool123", "chelsea123", "arsenal123", "manchester",
        "manchester1", "christmas1", "christmas123", "charlie123", "jennifer123", "jessica123", "michelle123",
        "summer2024", "summer2025", "summer2026", "winter2024", "winter2025", "winter2026", "spring2026",
        "autumn2026", "bazaar123456", "bazaarpassword", "letmeinplease", "ilovemymom", "iloveyoubaby",
        "mypassword1", "mypassword123", "newpassword1", "newpassword123", "secretpassword", "passwordsecret",
        "1234567890a", "a123456789", "aa12345678", "qq12345678", "zz12345678", "11223344556677",
        "1122334455", "1212121212", "1234554321", "9876543210", "5555555555", "7777777777", "0000000000",
        "123123123123", "123456123456", "147258369", "1472583690", "159357159357", "1596321478",
        "thomas12345", "daniel12345", "hannah12345", "jordan12345", "killer12345", "pepper12345",
        "ginger12345", "cookie12345", "matrix12345", "hunter12345", "soccer12345", "hockey12345",
    ]
}
