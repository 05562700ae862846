import Foundation

/// The repository root, found from this source file's location (`Tools/Benchmarks/MongoBenchmark/`).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `pymongo_benchmark.py` with the project's venv and reads its JSON.
enum PythonBaseline {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(url: String, database: String, samples: Int, warmup: Int) throws -> Measurements {
        let python = repositoryRoot.appendingPathComponent(".venv/bin/python")
        let script = repositoryRoot.appendingPathComponent("Tools/Benchmarks/MongoBenchmark/pymongo_benchmark.py")
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, "--url", url, "--database", database, "--samples", String(samples), "--warmup", String(warmup)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "pymongo_benchmark.py exited with status \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(Measurements.self, from: data)
    }
}
