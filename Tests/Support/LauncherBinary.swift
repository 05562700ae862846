import Foundation

/// The `bazaar` executable (or another product, such as `bazaar-gateway-health` or a service's
/// executable) under test.
///
/// Looked for, in order: `$BAZAAR_LAUNCHER` (for `bazaar` only); next to the running test binary
/// (SwiftPM puts every product of a build, test bundles included, in one products folder such as
/// `.build/debug`); next to any loaded bundle; and in the package's `.build/debug`.
public enum LauncherBinary {
    public static func locate(product: String = "bazaar") throws -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if product == "bazaar", let override = ProcessInfo.processInfo.environment["BAZAAR_LAUNCHER"] {
            candidates.append(override)
        }
        if let testBinary = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(directory(of: testBinary) + "/" + product)
        }
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.path(percentEncoded: false) + "/" + product)
            candidates.append(directory(of: bundle.bundleURL.path(percentEncoded: false)) + "/" + product)
        }
        candidates.append(TestInfrastructure.repositoryRoot.path(percentEncoded: false) + "/.build/debug/" + product)
        guard let found = candidates.first(where: fileManager.isExecutableFile(atPath:)) else {
            throw HarnessSetupError(description: """
                The `\(product)` executable was not found. Build it first (swift build --product \(product)), or set \
                BAZAAR_LAUNCHER to its path. Looked at:
                \(candidates.joined(separator: "\n"))
                """)
        }
        return found
    }

    private static func directory(of path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }
}
