import Foundation

/// What the launcher prints once a run is ready: where to reach it and how to stop it.
public enum RuntimeSummary {
    /// The summary of a ready run. `environment` is the content of `infra.env`; `detached` chooses
    /// the stop instruction (`bazaar down` instead of Ctrl-C).
    public static func text(
        mode: RuntimeMode,
        settings: RuntimeSettings,
        environment: EnvironmentFile,
        detached: Bool
    ) -> String {
        let environmentPath = RunDirectory.path(of: settings.runDirectory.environmentFile)
        var lines: [String] = []
        switch mode {
        case .infrastructure:
            lines.append("Infrastructure is ready. Settings, also in \(environmentPath):")
            lines.append(environment.rendered().trimmingTrailingNewline)
            lines.append("")
            lines.append("Load them into a shell with: set -a; . \(environmentPath); set +a")
        case .full:
            if Gateway.storefrontSource() != nil {
                lines.append("Bazaar is running: the storefront at \(settings.gatewayURL)/, the API areas listed at \(settings.gatewayURL)\(GatewayConfiguration.indexPageRoute)")
            } else {
                lines.append("Bazaar is running at \(settings.gatewayURL)/")
            }
            lines.append("API areas:")
            let width = settings.services.flatMap(\.routePrefixes).map(\.count).max() ?? 0
            for service in settings.services {
                let state = service.executableName == nil ? "not built yet" : "127.0.0.1:\(service.port)"
                for prefix in service.routePrefixes {
                    let url = settings.gatewayURL + prefix
                    lines.append("  \(url.padding(toLength: settings.gatewayURL.count + width, withPad: " ", startingAt: 0))  \(service.name) (\(state))")
                }
            }
            lines.append("Gateway health: \(settings.gatewayURL)/health")
            if settings.services.contains(where: { $0.name == ServiceRegistry.identityServiceName && $0.executableName != nil }) {
                let secretFile = settings.runDirectory.secretsDirectory.appending(path: ServiceEnvironment.administratorPasswordSecretName)
                let password = (try? String(contentsOf: secretFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                lines.append("Administrator: \(ServiceEnvironment.localAdministratorEmail) / \(password ?? "(see \(RunDirectory.path(of: secretFile)))")")
            }
            lines.append("Mail is written to \(RunDirectory.path(of: settings.runDirectory.mailDirectory)) (one .eml file per message)")
            lines.append("Infrastructure settings: \(environmentPath)")
        }
        let runDirectory = settings.runDirectory.path
        lines.append(detached
            ? "Stop it with: bazaar down --run-dir \(runDirectory)"
            : "Press Ctrl-C to stop. Status: bazaar status --run-dir \(runDirectory)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingNewline: String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
