import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating-system account a child runs as: the launcher's own, or an unprivileged system
/// account when the launcher is root.
///
/// Postgres refuses to run as root, and nginx workers should not (a root worker could read and
/// write anything a request tricks it into). When the launcher is root (as in CI containers),
/// those children run as a system user (`postgres` for Postgres, Debian's `www-data` for the
/// gateway) through `setpriv`, which changes identity and then `exec`s the program, so the pid the
/// launcher supervises and signals is the program itself. Otherwise they run as the current user.
struct SystemAccount: Sendable {
    /// The account Postgres runs as when the launcher is root.
    static let postgresUserName = "postgres"
    /// The account the gateway's nginx workers and health checker run as when the launcher is root
    /// (Debian's account for web servers; a different one from Postgres's, so a gateway worker
    /// cannot read the database files).
    static let gatewayUserName = "www-data"

    private enum Identity: Sendable {
        case currentUser
        case systemUser(uid: uid_t, gid: gid_t, setpriv: String)
    }

    /// Name of the system account used when the launcher runs as root.
    let systemUserName: String
    private let identity: Identity

    /// The account for this launcher: the current user, or `systemUserName` when running as root;
    /// throws `missing` when that system user does not exist.
    static func resolve(systemUserName: String, missing: @autoclosure () -> RuntimeError) throws -> SystemAccount {
        guard geteuid() == 0 else { return SystemAccount(systemUserName: systemUserName, identity: .currentUser) }
        guard let entry = getpwnam(systemUserName) else { throw missing() }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        let setpriv = try ExecutableLocator.require("setpriv", debianPackage: "util-linux")
        return SystemAccount(systemUserName: systemUserName, identity: .systemUser(uid: uid, gid: gid, setpriv: setpriv))
    }

    /// The account Postgres runs as.
    static func postgres() throws -> SystemAccount {
        try resolve(systemUserName: postgresUserName, missing: .noPostgresAccount)
    }

    /// The account the gateway's workers and health checker run as.
    static func gateway() throws -> SystemAccount {
        try resolve(systemUserName: gatewayUserName, missing: .noGatewayAccount(name: gatewayUserName))
    }

    /// Whether the program runs under another account than the launcher's.
    var isSystemUser: Bool {
        if case .systemUser = identity { return true }
        return false
    }

    /// The program and arguments that run `executable` with `arguments` as this account.
    func command(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        switch identity {
        case .currentUser:
            return (executable, arguments)
        case let .systemUser(_, _, setpriv):
            let switchIdentity = ["--reuid=\(systemUserName)", "--regid=\(systemUserName)", "--init-groups", "--"]
            return (setpriv, switchIdentity + [executable] + arguments)
        }
    }

    /// Whether this account can reach (search) the directory at `path`, and so everything on the way.
    func canTraverse(_ path: String) async -> Bool {
        guard isSystemUser else { return true }
        let test = command(ExecutableLocator.find("test") ?? "/usr/bin/test", ["-x", path])
        let result = try? await CommandRunner.run(test.executable, test.arguments)
        return result?.succeeded ?? false
    }

    /// Makes this account the owner of the file or directory at `path` (no-op for the current user).
    func adopt(_ path: String) throws {
        guard case let .systemUser(uid, gid, _) = identity else { return }
        guard chown(path, uid, gid) == 0 else {
            throw RuntimeError.fileProblem(path: path, reason: "cannot give it to the \(systemUserName) user (\(String(cString: strerror(errno))))")
        }
    }

    /// Whether the file at `path` is a real directory (not a symbolic link) owned by this account or by us.
    func ownsDirectory(_ path: String) -> Bool {
        var information = stat()
        guard lstat(path, &information) == 0, (information.st_mode & S_IFMT) == S_IFDIR else { return false }
        switch identity {
        case .currentUser:
            return information.st_uid == geteuid()
        case let .systemUser(uid, _, _):
            return information.st_uid == uid || information.st_uid == 0
        }
    }
}
