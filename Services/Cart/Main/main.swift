import BazaarCart
import BazaarCore

await CartService.main()
