import BazaarCatalog
import BazaarCore

await CatalogService.main()
