import BazaarPayment
import BazaarCore

await PaymentService.main()
