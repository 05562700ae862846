import Foundation

/// Finds the programs the runtime depends on, and the service executables built beside `bazaar`.
enum ExecutableLocator {
    /// The first executable called `name` on `PATH`, then in `fallbackDirectories`, in order.
    static func find(_ name: String, fallbackDirectories: [String] = []) -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = searchPath.split(separator: ":").map(String.init) + fallbackDirectories
        return directories
            .map { ($0 as NSString).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Like ``find(_:fallbackDirectories:)`` but throws a message naming the Debian package to install.
    static func require(_ name: String, debianPackage: String, fallbackDirectories: [String] = []) throws -> String {
        guard let path = find(name, fallbackDirectories: fallbackDirectories) else {
            throw RuntimeError.missingExecutable(name: name, debianPackage: debianPackage)
        }
        return path
    }

    /// Debian's versioned Postgres program folders (`/usr/lib/postgresql/<major>/bin`), newest first.
    static func postgresVersionDirectories() -> [String] {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
            .map { "\(base)/\($0)/bin" }
    }

    /// The absolute path of the running `bazaar` executable, following symbolic links.
    static func currentExecutable() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        let path = Bundle.main.executableURL?.path(percentEncoded: false) ?? CommandLine.arguments[0]
        return URL(filePath: path).resolvingSymlinksInPath().path(percentEncoded: false)
    }

    /// The folder holding the running `bazaar`: the build products folder, where service executables are.
    static func productsDirectory() -> String {
        (currentExecutable() as NSString).deletingLastPathComponent
    }

    /// The repository folder holding `relativePath` (a venv tool, a script): the current folder,
    /// or else the nearest folder above the build products folder (`<repo>/.build/<triple>/<configuration>/`),
    /// so `bazaar` also works when started from elsewhere.
    static func repositoryRoot(containing relativePath: String) -> URL? {
        var roots = [URL(filePath: FileManager.default.currentDirectoryPath, directoryHint: .isDirectory)]
        var folder = URL(filePath: productsDirectory(), directoryHint: .isDirectory)
        while folder.pathComponents.count > 1 {
            folder = folder.deletingLastPathComponent()
            roots.append(folder)
        }
        return roots.first { FileManager.default.fileExists(atPath: $0.appending(path: relativePath).path(percentEncoded: false)) }
    }

    /// The directory part of an executable path after resolving symbolic links.
    static func resolvedDirectory(of path: String) -> String {
        (URL(filePath: path).resolvingSymlinksInPath().path(percentEncoded: false) as NSString).deletingLastPathComponent
    }
}
