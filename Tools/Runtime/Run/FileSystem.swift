import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers with explicit permissions, so secrets are never readable by others even briefly.
enum FileSystem {
    /// Creates `url` (and missing parents) with permissions `mode` if it does not exist. An existing
    /// directory keeps its permissions unless `enforcingMode` is set (for folders holding secrets).
    static func createDirectory(_ url: URL, mode: Int = 0o755, enforcingMode: Bool = false) throws {
        let path = RunDirectory.path(of: url)
        do {
            var isDirectory: ObjCBool = false
            let existed = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            if !existed {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode]
                )
            }
            // The umask may have narrowed a new directory's mode; an existing one changes only on request.
            if !existed || enforcingMode {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            }
        } catch {
            throw RuntimeError.fileProblem(path: path, reason: "cannot create directory (\(error.localizedDescription))")
        }
    }

    /// The launcher's log folder, owner-only even if it existed: the log holds what services print
    /// at start-up, the first administrator's password among it.
    static func createLogsDirectory(_ runDirectory: RunDirectory) throws {
        try createDirectory(runDirectory.logsDirectory, mode: 0o700, enforcingMode: true)
    }

    /// Writes `contents` to `url` atomically: a temporary file with `mode` is renamed over the target.
    static func writeAtomically(_ contents: String, to url: URL, mode: mode_t = 0o644) throws {
        let path = RunDirectory.path(of: url)
        let temporaryPath = path + ".tmp-\(getpid())"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw RuntimeError.fileProblem(path: path, reason: "cannot write (\(String(cString: strerror(errno))))")
        }
        // open() applies the umask; set the exact mode explicitly.
        fchmod(descriptor, mode)
        let written = writeAll(Array(contents.utf8), to: descriptor)
        close(descriptor)
        guard written, rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw RuntimeError.fileProblem(path: path, reason: "cannot write (\(reason))")
        }
    }

    /// Creates `url` with `contents` and `mode` only if it does not exist yet; returns false if it did.
    static func createExclusively(_ contents: String, at url: URL, mode: mode_t) throws -> Bool {
        let path = RunDirectory.path(of: url)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if descriptor < 0 {
            if errno == EEXIST { return false }
            throw RuntimeError.fileProblem(path: path, reason: "cannot create (\(String(cString: strerror(errno))))")
        }
        fchmod(descriptor, mode)
        let written = writeAll(Array(contents.utf8), to: descriptor)
        close(descriptor)
        guard written else {
            unlink(path)
            throw RuntimeError.fileProblem(path: path, reason: "cannot write")
        }
        return true
    }

    /// The contents of `url` as UTF-8 text, or nil if it does not exist.
    static func readIfPresent(_ url: URL) throws -> String? {
        let path = RunDirectory.path(of: url)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RuntimeError.fileProblem(path: path, reason: "cannot read (\(error.localizedDescription))")
        }
    }

    /// The last `count` lines of a text file, or an empty list if it cannot be read.
    static func lastLines(of url: URL, count: Int) -> [String] {
        guard let text = try? readIfPresent(url) else { return [] }
        return Array(text.split(separator: "\n").map(String.init).suffix(count))
    }

    /// Writes every byte, retrying after interruptions and short writes.
    @discardableResult
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let result = bytes[offset...].withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress, buffer.count)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += result
        }
        return true
    }
}
