import BazaarInventory
import BazaarCore

await InventoryService.main()
