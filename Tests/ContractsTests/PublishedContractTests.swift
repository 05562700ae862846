import BazaarContracts
import BazaarTestSupport
import Foundation
import Testing

/// The published contract (JSON Schemas + AsyncAPI) in the repository.
enum PublishedContract {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Shared/Contracts/Published")
    static let schemas = folder.appendingPathComponent("schemas")
    static let asyncAPI = folder.appendingPathComponent("asyncapi.json")
    static let checkJSONSchema = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".venv/bin/check-jsonschema")
    /// Schema files that define shared parts, not an event type.
    static let sharedSchemas: Set<String> = ["common.json", "cloudevent.json"]

    static func eventSchemaNames() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: schemas.path).filter { $0.hasSuffix(".json") && !sharedSchemas.contains($0) }
            .map { String($0.dropLast(5)) })
    }

    static func asyncAPIDocument() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: asyncAPI)) as! [String: Any]
    }

    /// Runs check-jsonschema; returns its output when validation failed, nil when it passed.
    static func validate(instance: URL, schema: URL) async throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: checkJSONSchema.path) else {
            throw MissingTool(path: checkJSONSchema.path)
        }
        let result = try await ChildProcess.run(checkJSONSchema.path, ["--schemafile", schema.path, instance.path])
        return result.status == 0 ? nil : result.output
    }

    struct MissingTool: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is missing: run `make deps` (it installs requirements-dev.txt into .venv)" }
    }

    static func example(of type: any EventPayload.Type) throws -> [UInt8] {
        func encode<Payload: EventPayload>(_ payload: Payload.Type) throws -> [UInt8] {
            try EventCodec.encode(CloudEvent(Payload.example, source: "bazaar/example", id: "3f1c2b8e-5d7a-4c1e-9a0b-2e6f8d4c7a11",
                                             time: Date(timeIntervalSince1970: 1_795_002_001),
                                             traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", requestID: "9d2c1f7a"))
        }
        return try encode(type)
    }
}

@Suite("Published event contract")
struct PublishedContractTests {
    @Test("every Swift event type has a JSON Schema, and every schema a Swift type")
    func schemasMatchTypes() throws {
        let swiftTypes = Set(EventCatalog.all.map { $0.eventType.name })
        let schemas = try PublishedContract.eventSchemaNames()
        #expect(swiftTypes.subtracting(schemas).isEmpty, "no schema for \(swiftTypes.subtracting(schemas).sorted())")
        #expect(schemas.subtracting(swiftTypes).isEmpty, "no Swift type for schema \(schemas.subtracting(swiftTypes).sorted())")
    }

    @Test("an example of every Swift type validates against its schema")
    func examplesValidate() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for type in EventCatalog.all {
            let name = type.eventType.name
            let instance = folder.appendingPathComponent("\(name).json")
            try Data(PublishedContract.example(of: type)).write(to: instance)
            let failure = try await PublishedContract.validate(instance: instance, schema: PublishedContract.schemas.appendingPathComponent("\(name).json"))
            #expect(failure == nil, "\(name): \(failure ?? "")")
        }
    }

    @Test("the schemas are strict: an unknown field in data is refused")
    func schemasAreStrict() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var object = try JSONSerialization.jsonObject(with: Data(PublishedContract.example(of: OrderPlaced.self))) as! [String: Any]
        var data = object["data"] as! [String: Any]
        data["discountCode"] = "SPRING"
        object["data"] = data
        let instance = folder.appendingPathComponent("extra.json")
        try JSONSerialization.data(withJSONObject: object).write(to: instance)
        let failure = try await PublishedContract.validate(instance: instance, schema: PublishedContract.schemas.appendingPathComponent("bazaar.order.placed.v1.json"))
        #expect(failure?.contains("discountCode") == true)
    }

    @Test("the AsyncAPI document lists every event type on its topic's channel, and nothing else")
    func asyncAPIMatchesTypes() throws {
        let document = try PublishedContract.asyncAPIDocument()
        #expect(document["asyncapi"] as? String == "3.0.0")
        let messages = (document["components"] as? [String: Any])?["messages"] as? [String: Any] ?? [:]
        let channels = document["channels"] as? [String: Any] ?? [:]
        var documented = Set<String>()
        for (_, value) in messages {
            let message = value as? [String: Any] ?? [:]
            documented.insert(message["name"] as? String ?? "")
        }
        let swiftTypes = Set(EventCatalog.all.map { $0.eventType.name })
        #expect(swiftTypes.subtracting(documented).isEmpty, "missing from AsyncAPI: \(swiftTypes.subtracting(documented).sorted())")
        #expect(documented.subtracting(swiftTypes).isEmpty, "AsyncAPI messages without a Swift type: \(documented.subtracting(swiftTypes).sorted())")
        for type in EventCatalog.all {
            let topic = type.eventType.topic.name
            let channel = try #require(channels[topic] as? [String: Any], "no channel \(topic)")
            #expect(channel["address"] as? String == topic)
            let channelMessages = channel["messages"] as? [String: Any] ?? [:]
            let references = channelMessages.values.compactMap { ($0 as? [String: Any])?["$ref"] as? String }
            let messageKey = messages.first { ($0.value as? [String: Any])?["name"] as? String == type.eventType.name }?.key ?? "?"
            #expect(references.contains("#/components/messages/\(messageKey)"), "\(type.eventType.name) is not on channel \(topic)")
        }
    }

    @Test("every example in the AsyncAPI document validates against its message's schema")
    func asyncAPIExamplesValidate() async throws {
        let document = try PublishedContract.asyncAPIDocument()
        let messages = (document["components"] as? [String: Any])?["messages"] as? [String: Any] ?? [:]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("asyncapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (key, value) in messages {
            let message = try #require(value as? [String: Any])
            let name = try #require(message["name"] as? String)
            let examples = message["examples"] as? [[String: Any]] ?? []
            #expect(!examples.isEmpty, "\(key) has no example")
            for (index, example) in examples.enumerated() {
                let instance = folder.appendingPathComponent("\(key)-\(index).json")
                try JSONSerialization.data(withJSONObject: try #require(example["payload"])).write(to: instance)
                let failure = try await PublishedContract.validate(instance: instance, schema: PublishedContract.schemas.appendingPathComponent("\(name).json"))
                #expect(failure == nil, "\(key) example \(index): \(failure ?? "")")
            }
        }
    }
}
