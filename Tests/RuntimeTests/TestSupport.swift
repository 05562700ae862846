import BazaarTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the test set-up itself, with what to do about it.
struct TestSetupError: Error, CustomStringConvertible {
    var description: String
}

/// Programs the tests run.
enum TestTools {
    /// The path of `name` on `PATH` or in `extraDirectories`, or an error naming the Debian package.
    static func require(_ name: String, debianPackage: String, extraDirectories: [String] = []) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + extraDirectories
        guard let found = directories.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestSetupError(description: "`\(name)` is not installed; install it with: sudo apt-get install \(debianPackage)")
        }
        return found
    }
}

/// A fresh directory under /tmp (reachable by the `postgres` user, unlike most of /root).
struct TemporaryDirectory {
    let path: String

    static func create(prefix: String) throws -> TemporaryDirectory {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TestSetupError(description: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: created)
        chmod(path, 0o755)
        return TemporaryDirectory(path: path)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}


/// Programs run from launcher tests: the shared runner of `Tests/Support`.
typealias TestProcess = ChildProcess

/// Live processes whose command line contains `text`, from `/proc` (zombies excluded).
func liveProcesses(mentioning text: String) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> String? in
        guard let pid = Int32(entry), pid != getpid(),
              let commandLine = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
              let stat = FileManager.default.contents(atPath: "/proc/\(entry)/stat")
        else { return nil }
        let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        let statText = String(decoding: stat, as: UTF8.self)
        let state = statText.lastIndex(of: ")").map { statText[statText.index($0, offsetBy: 2)] }
        guard arguments.contains(text), state != "Z" else { return nil }
        return "\(pid): \(arguments)"
    }
}

/// Files of this repository the tests use: the Python venv (`make deps`) and the SMTP sink script.
enum ProjectFiles {
    /// The package root, from this file's location (`Tests/RuntimeTests/TestSupport.swift`).
    static let root: String = {
        var path: String = #filePath
        for _ in 0..<3 { path = (path as NSString).deletingLastPathComponent }
        return path
    }()

    /// `infrastructure/scripts/smtp-sink.py`.
    static var smtpSinkScript: String { root + "/infrastructure/scripts/smtp-sink.py" }

    /// The venv's `python`, which has aiosmtpd.
    static func python() throws -> String {
        let path = root + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError(description: "\(path) is missing; install the development tools with: make deps")
        }
        return path
    }
}

/// Sends mail with Python's `smtplib` (an SMTP client independent of the code under test).
enum MailSender {
    private static let program = """
        import smtplib, sys
        from email.message import EmailMessage
        port, sender, subject, recipients = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
        message = EmailMessage()
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject
        message.set_content("Sent by the Bazaar runtime tests.\\n.A line that starts with a dot.\\n")
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as error:
            for address, (code, text) in sorted(error.recipients.items()):
                print(f"refused {address} {code} {text.decode()}")
            sys.exit(2)
        for address, (code, text) in sorted(refused.items()):
            print(f"refused {address} {code} {text.decode()}")
        print("sent")
        """

    /// Sends one message from `sender` to `recipients`. Exit status 0 and `sent` when at least one
    /// recipient was accepted (refused ones are printed as `refused <address> <code> <text>`);
    /// exit status 2 when every recipient was refused.
    static func send(port: Int, from sender: String, to recipients: [String], subject: String) async throws -> ChildProcess.Result {
        try await ChildProcess.run(try ProjectFiles.python(), ["-c", program, String(port), sender, subject] + recipients)
    }
}

/// The `.eml` files of a mail folder, sorted by name (which is arrival order).
func emlFiles(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
}
