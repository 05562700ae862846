extension GatewayConfiguration {
    /// The small HTML page served at `GET /`: every API area, the service owning it, and whether
    /// that service is built yet.
    public func indexPage() -> String {
        var rows: [String] = []
        for service in services {
            let state = service.executableName == nil ? "not built yet (answers 503)" : "started by bazaar"
            for prefix in service.routePrefixes {
                rows.append(
                    "      <tr><td><a href=\"\(escaped(prefix))\"><code>\(escaped(prefix))</code></a></td>"
                        + "<td>\(escaped(service.name))</td><td>127.0.0.1:\(service.port)</td><td>\(escaped(state))</td></tr>"
                )
            }
        }
        return """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Bazaar local gateway</title>
          <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
            table { border-collapse: collapse; }
            th, td { text-align: left; padding: .3rem 1rem .3rem 0; border-bottom: 1px solid #ddd; }
          </style>
        </head>
        <body>
          <h1>Bazaar</h1>
          <p>Local gateway on port \(port). Every path below is forwarded unchanged to the service that owns it;
          <a href="/health"><code>/health</code></a> reports every started service's readiness,
          <a href="/health/live"><code>/health/live</code></a> the gateway itself.</p>
          <table>
            <thead><tr><th>API area</th><th>Service</th><th>Upstream</th><th>State</th></tr></thead>
            <tbody>
        \(rows.joined(separator: "\n"))
            </tbody>
          </table>
        </body>
        </html>

        """
    }

    private func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
