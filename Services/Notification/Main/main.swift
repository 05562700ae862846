import BazaarNotification
import BazaarCore

await NotificationService.main()
