import BazaarOrder
import BazaarCore

await OrderService.main()
