import BazaarUser
import BazaarCore

await UserService.main()
