import BazaarCore
import BazaarNotification

await ServiceHost.main(name: NotificationService.name, defaultPort: NotificationService.defaultPort,
                       openAPIDocument: NotificationService.openAPIDocument) { host in
    try await NotificationService.configure(&host)
}
