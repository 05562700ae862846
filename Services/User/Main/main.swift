import BazaarCore
import BazaarUser

await ServiceHost.main(name: UserService.name, defaultPort: UserService.defaultPort, openAPIDocument: UserService.openAPIDocument) { host in
    try await UserService.configure(&host)
}
