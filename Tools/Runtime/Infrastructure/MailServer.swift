import Foundation

/// The local SMTP sink: aiosmtpd from the project's Python venv, run by
/// `infrastructure/scripts/smtp-sink.py`. It accepts every message on 127.0.0.1 (plain SMTP, no
/// authentication) and writes each one as an `.eml` file into the run directory's `mail/`, so
/// nothing leaves the machine and tests can read what was sent.
public enum MailServer {
    static let processName = "smtp"
    /// Where the sink listens.
    public static let host = "127.0.0.1"
    /// What tests read from `infra.env`: the sink's host, port and mail folder.
    public static let testHostKey = "BAZAAR_SMTP_HOST"
    public static let testPortKey = "BAZAAR_SMTP_PORT"
    public static let mailDirectoryKey = "BAZAAR_MAIL_DIR"
    /// The sender services put on the mail of a local run (`SMTP_FROM_EMAIL`, `SMTP_FROM_NAME`).
    public static let localSenderEmail = "shop@bazaar.local"
    public static let localSenderName = "Bazaar"
    /// The sink script, relative to the repository root.
    static let scriptPath = "infrastructure/scripts/smtp-sink.py"

    /// Starts the sink and returns its `infra.env` entries once its port accepts connections.
    static func start(settings: RuntimeSettings, group: ProcessGroup, recorder: RunStateRecorder,
                      console: ConsoleOutput) async throws -> [EnvironmentFile.Entry] {
        let (python, script) = try locate()
        let mail = settings.runDirectory.mailDirectory
        // Messages may carry sign-in links and tokens: only the owner reads them.
        try FileSystem.createDirectory(mail, mode: 0o700, enforcingMode: true)
        let process = try group.start(ProcessSpecification(
            name: processName, kind: .infrastructure, executable: python,
            arguments: ["-u", script, "--host", host, "--port", String(settings.smtpPort), "--dir", RunDirectory.path(of: mail)],
            port: settings.smtpPort
        ))
        recorder.add(process.record)
        try await process.waitUntilReady(seconds: 20) { HealthProbe.isPortAvailable(settings.smtpPort) ? nil : () }
        console.announce("smtp (aiosmtpd sink) accepts connections on \(host):\(settings.smtpPort) (mail: \(RunDirectory.path(of: mail)))")
        return environmentEntries(settings: settings)
    }

    /// The `infra.env` entries of the sink: `BAZAAR_SMTP_HOST`, `BAZAAR_SMTP_PORT`, `BAZAAR_MAIL_DIR`.
    public static func environmentEntries(settings: RuntimeSettings) -> [EnvironmentFile.Entry] {
        [
            EnvironmentFile.Entry(key: testHostKey, value: host),
            EnvironmentFile.Entry(key: testPortKey, value: String(settings.smtpPort)),
            EnvironmentFile.Entry(key: mailDirectoryKey, value: RunDirectory.path(of: settings.runDirectory.mailDirectory)),
        ]
    }

    /// What a service needs to send through the sink: `SMTP_HOST`, `SMTP_PORT`, `SMTP_TLS=none`
    /// (the sink speaks plain SMTP on loopback), `SMTP_FROM_EMAIL` and `SMTP_FROM_NAME`.
    public static func serviceVariables(settings: RuntimeSettings) -> [String: String] {
        [
            "SMTP_HOST": host,
            "SMTP_PORT": String(settings.smtpPort),
            "SMTP_TLS": "none",
            "SMTP_FROM_EMAIL": localSenderEmail,
            "SMTP_FROM_NAME": localSenderName,
        ]
    }

    /// The venv's `python` and the sink script of the same repository: looked for in the current
    /// folder, then in every folder above the build products folder (`<repo>/.build/<triple>/<configuration>/`).
    static func locate() throws -> (python: String, script: String) {
        guard let root = ExecutableLocator.repositoryRoot(containing: scriptPath) else {
            throw RuntimeError.fileProblem(
                path: scriptPath,
                reason: "the SMTP sink script was not found in the current folder or above \(ExecutableLocator.productsDirectory()); run bazaar from the repository"
            )
        }
        let python = root.appending(path: ".venv/bin/python").path(percentEncoded: false)
        guard FileManager.default.isExecutableFile(atPath: python) else { throw RuntimeError.missingVenvTool(name: "python") }
        return (python, root.appending(path: scriptPath).path(percentEncoded: false))
    }
}
