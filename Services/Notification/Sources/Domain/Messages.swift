import BazaarContracts
import Foundation

/// One email to send: who gets it, which template, and the values the template shows.
struct OutgoingMessage: Sendable {
    var recipient: Recipient
    var template: String
    var subject: String
    /// The template's data: strings, numbers, booleans, and arrays/dictionaries of them.
    var values: [String: any Sendable]
    /// The body holds a secret (a reset link): the delivery log blanks it once sent.
    var sensitive = false
}

/// Who an email goes to, from the service's own copy of users.
struct Recipient: Sendable, Equatable {
    var userID: String?
    var email: String
    var name: String
}

/// The emails each event causes (pure: the caller supplies the recipients it knows).
enum Messages {
    static func welcome(_ event: UserRegistered) -> OutgoingMessage {
        OutgoingMessage(recipient: Recipient(userID: event.userId, email: event.email, name: event.name), template: "welcome",
                        subject: "Welcome to Bazaar, \(event.name)", values: ["name": event.name])
    }

    /// The reset email; `token` is the opened `sealedResetToken`. It goes into the link's fragment
    /// (`#token=`), which browsers never send to a server, so no access log or `Referer` sees it.
    static func passwordReset(_ event: UserPasswordResetRequested, token: String, linkBase: String) -> OutgoingMessage {
        var link = URLComponents(string: linkBase) ?? URLComponents()
        var fragment = URLComponents()
        fragment.queryItems = [URLQueryItem(name: "token", value: token)]
        link.percentEncodedFragment = fragment.percentEncodedQuery
        return OutgoingMessage(recipient: Recipient(userID: event.userId, email: event.email, name: event.name), template: "password-reset",
                               subject: "Reset your Bazaar password",
                               values: ["name": event.name, "link": link.string ?? linkBase, "expiresAt": Self.time(event.expiresAt)],
                               sensitive: true)
    }

    static func orderConfirmed(_ event: OrderConfirmed, name: String) -> OutgoingMessage {
        let address = event.shippingAddress
        return OutgoingMessage(
            recipient: Recipient(userID: event.userId, email: event.email, name: name), template: "order-confirmed",
            subject: "Your order \(event.orderId) is confirmed",
            values: [
                "name": name, "orderId": event.orderId, "lines": event.lines.map(line),
                "subtotal": MoneyFormat.format(event.subtotal), "shipping": MoneyFormat.format(event.shippingCost),
                "total": MoneyFormat.format(event.total), "vat": MoneyFormat.format(event.vatIncluded),
                "address": [address.name, address.line1, address.line2, "\(address.postalCode) \(address.city)", address.country].compactMap { $0 },
            ])
    }

    static func orderCancelled(_ event: OrderCancelled, name: String) -> OutgoingMessage {
        OutgoingMessage(
            recipient: Recipient(userID: event.userId, email: event.email, name: name), template: "order-cancelled",
            subject: "Your order \(event.orderId) was cancelled",
            values: ["name": name, "orderId": event.orderId, "reason": reason(event.reason), "lines": event.lines.map(line),
                     "total": MoneyFormat.format(event.total), "refundDue": event.refundDue])
    }

    static func orderShipped(_ event: OrderShipped, name: String) -> OutgoingMessage {
        OutgoingMessage(
            recipient: Recipient(userID: event.userId, email: event.email, name: name), template: "order-shipped",
            subject: "Your order \(event.orderId) is on its way",
            values: ["name": name, "orderId": event.orderId, "carrier": event.carrier, "trackingNumber": event.trackingNumber])
    }

    static func paymentFailed(_ event: PaymentFailed, recipient: Recipient) -> OutgoingMessage {
        OutgoingMessage(recipient: recipient, template: "payment-failed", subject: "We could not take payment for order \(event.orderId)",
                        values: ["name": recipient.name, "orderId": event.orderId, "amount": MoneyFormat.format(event.amount), "message": event.message])
    }

    static func paymentRefunded(_ event: PaymentRefunded, recipient: Recipient) -> OutgoingMessage {
        OutgoingMessage(recipient: recipient, template: "payment-refunded", subject: "Your refund for order \(event.orderId)",
                        values: ["name": recipient.name, "orderId": event.orderId, "amount": MoneyFormat.format(event.amount)])
    }

    static func stockLow(_ event: StockLow, admin: Recipient) -> OutgoingMessage {
        OutgoingMessage(recipient: admin, template: "stock-low", subject: "Low stock: \(event.sku) (\(event.available) left)",
                        values: ["name": admin.name, "sku": event.sku, "available": event.available, "threshold": event.threshold])
    }

    /// Why an order was cancelled, in words a customer understands.
    static func reason(_ reason: CancellationReason) -> String {
        switch reason {
        case .outOfStock: "Some items in your order are no longer in stock."
        case .paymentFailed: "We could not take the payment for your order."
        case .customerRequest: "You asked us to cancel it."
        case .timeout: "The payment was not completed in time."
        case .admin: "Our team cancelled it; we will contact you if anything is unclear."
        case .invalidCheckout: "The prices in your checkout did not match our current prices; nothing was charged. Please check out again."
        }
    }

    static func line(_ line: OrderLine) -> [String: any Sendable] {
        ["name": line.name, "sku": line.sku, "quantity": line.quantity, "unitPrice": MoneyFormat.format(line.unitPrice),
         "lineTotal": MoneyFormat.format(line.lineTotal)]
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
