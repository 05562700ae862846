public import PostgresNIO

/// A prepared statement whose one parameter, `$1`, is a text key (an order id): the binding and
/// its declared type written once; a conforming statement gives its SQL, its row and how to decode it.
public protocol TextKeyedStatement: PostgresPreparedStatement {
    var key: String { get }
}

extension TextKeyedStatement {
    public static var bindingDataTypes: [PostgresDataType] { [.text] }

    public func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(key)
        return bindings
    }
}
