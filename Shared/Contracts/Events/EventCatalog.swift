/// Every event type of the platform, in one list: the published contract is checked against it.
public enum EventCatalog {
    public static let all: [any EventPayload.Type] = [
        UserRegistered.self, UserPasswordResetRequested.self, UserUpdated.self,
        ProductCreated.self, ProductUpdated.self, ProductDeleted.self,
        CartCheckedOut.self,
        OrderPlaced.self, OrderPaymentRequested.self, OrderConfirmed.self, OrderCancelled.self, OrderShipped.self, OrderDelivered.self,
        StockReserved.self, StockRejected.self, StockReleased.self, StockLow.self,
        PaymentAuthorized.self, PaymentFailed.self, PaymentRefunded.self,
    ]
}
