import Foundation
import Mustache

/// Renders a message's HTML and plain-text versions from the `Templates` folder
/// (`<name>.html.mustache`, `<name>.text.mustache`; HTML values are escaped, text ones not).
struct TemplateRenderer: Sendable {
    let library: MustacheLibrary

    static func load(directory: URL) async throws -> TemplateRenderer {
        TemplateRenderer(library: try await MustacheLibrary(directory: directory.path))
    }

    /// The bundled templates.
    static func bundled() async throws -> TemplateRenderer {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw MissingTemplate(name: "Templates folder")
        }
        return try await load(directory: directory)
    }

    func render(_ message: OutgoingMessage) throws -> (text: String, html: String) {
        let values: [String: Any] = message.values
        guard let text = library.render(values, withTemplate: "\(message.template).text") else { throw MissingTemplate(name: "\(message.template).text") }
        guard let html = library.render(values, withTemplate: "\(message.template).html") else { throw MissingTemplate(name: "\(message.template).html") }
        return (text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n", html)
    }

    struct MissingTemplate: Error, CustomStringConvertible {
        let name: String
        var description: String { "no template \(name)" }
    }
}
