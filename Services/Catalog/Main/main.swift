import BazaarCatalog
import BazaarCore
import Foundation

if CommandLine.arguments.dropFirst().first == "seed" {
    do {
        print(try await CatalogService.seed())
    } catch {
        FileHandle.standardError.write(Data("bazaar-catalog seed failed: \(error)\n".utf8))
        exit(1)
    }
} else {
    await ServiceHost.main(name: CatalogService.name, defaultPort: CatalogService.defaultPort,
                           openAPIDocument: CatalogService.openAPIDocument) { host in
        try await CatalogService.configure(&host)
    }
}
