import BazaarCore
import Foundation
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("dates are written exactly as JSONEncoder's .iso8601 writes them", arguments: [
        0, 0.999, 59, 86_399.5, 951_782_400, 951_868_799, 1_795_003_600.25, 2_147_483_648, 4_102_444_800, 253_402_300_799, -1, -86_401.5,
    ])
    func datesLikeJSONEncoder(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        var json = JSONWriter()
        json.object { json in json.field("at", date) }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        #expect(String(decoding: json.bytes, as: UTF8.self) == String(decoding: try encoder.encode(["at": date]), as: UTF8.self))
    }

    @Test("objects, arrays, numbers, booleans and escaped strings parse back to what was written")
    func roundTrip() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} é 🛒"
        var json = JSONWriter()
        json.object { json in
            json.field("text", awkward)
            json.field("edges", "\"starts and ends escaped\n")
            json.field("plain", "nothing to escape")
            json.field("absent", nil as String?)
            json.field("count", 3)
            json.field("negative", Int64(-9_000_000_000))
            json.field("yes", true)
            json.object("nested") { json in json.field("no", false) }
            json.array("empty") { _ in }
            json.array("items") { json in
                json.object { json in json.field("id", "a") }
                json.object { json in json.field("id", "b") }
            }
            json.array("tags") { json in
                json.value("x")
                json.value("y")
            }
        }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(parsed["text"] as? String == awkward)
        #expect(parsed["edges"] as? String == "\"starts and ends escaped\n")
        #expect(parsed["plain"] as? String == "nothing to escape")
        #expect(parsed["absent"] == nil)
        #expect(parsed["count"] as? Int == 3)
        #expect(parsed["negative"] as? Int64 == -9_000_000_000)
        #expect(parsed["yes"] as? Bool == true)
        #expect((parsed["nested"] as? [String: Any])?["no"] as? Bool == false)
        #expect((parsed["empty"] as? [Any])?.isEmpty == true)
        #expect((parsed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["a", "b"])
        #expect(parsed["tags"] as? [String] == ["x", "y"])
    }
}
