import Foundation

/// Runs `redis-benchmark` (the C reference client shipped with Redis) and reads its `--csv` output.
enum ReferenceBenchmark {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Requests per second of `redis-benchmark -t <test> -c <clients> -n <requests>` against
    /// `host:port` (3-byte values and one key, as the adapter measurement uses).
    static func requestsPerSecond(test: String, clients: Int, requests: Int, host: String, port: Int, password: String?) throws -> Double {
        let process = Process()
        process.executableURL = try locate("redis-benchmark")
        var arguments = ["-h", host, "-p", String(port), "-t", test, "-c", String(clients), "-n", String(requests), "-d", "3", "--csv"]
        if let password { arguments += ["-a", password] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "redis-benchmark exited with status \(process.terminationStatus)")
        }
        return try parse(csv: String(decoding: data, as: UTF8.self), test: test)
    }

    /// The `rps` column of the row named `test` (`"SET","55865.92",...`).
    static func parse(csv: String, test: String) throws -> Double {
        let rows = csv.split(whereSeparator: \.isNewline).map { line in
            line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        }
        guard let header = rows.first, let column = header.firstIndex(of: "rps") else {
            throw Failure(description: "unexpected redis-benchmark output: \(csv)")
        }
        guard let row = rows.dropFirst().first(where: { $0.first?.uppercased() == test.uppercased() }),
              row.count > column, let value = Double(row[column]) else {
            throw Failure(description: "redis-benchmark printed no \(test) row: \(csv)")
        }
        return value
    }

    /// An executable from `PATH` or the usual install locations.
    static func locate(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure(description: "\(name) is not installed (apt-get install redis-server redis-tools)")
    }
}
