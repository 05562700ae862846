import CMongoc

extension MongoClient {
    /// Runs `body` in a multi-document transaction: committed when it returns, aborted when it
    /// throws (the body's own error is rethrown as it is).
    ///
    /// Pass the session to every operation that belongs to the transaction:
    ///
    /// ```swift
    /// try await mongo.withTransaction { session in
    ///     try await orders.insertOne(order, session: session)
    ///     try await stock.updateOne(["_id": .string(sku)], update: ["$inc": ["reserved": 1]], session: session)
    /// }
    /// ```
    ///
    /// As MongoDB's drivers do, the whole body runs again when the server labels an error
    /// `TransientTransactionError` (a write conflict with a concurrent transaction, a primary
    /// election), up to `maxAttempts` times, so it must not have effects outside the database;
    /// and a commit whose outcome is unknown (`UnknownTransactionCommitResult`) is retried.
    ///
    /// - Throws: ``MongoError/transactionsUnsupported(_:)`` before running `body` when the
    ///   deployment is a standalone server (transactions need a replica set, even of one member,
    ///   or a sharded cluster); the body's error; or the commit's ``MongoError``.
    public func withTransaction<Result: Sendable>(
        maxAttempts: Int = 3, _ body: (MongoSession) async throws -> Result
    ) async throws -> Result {
        let session = try await MongoSession.start(on: self)
        do {
            let result = try await runTransaction(in: session, maxAttempts: max(1, maxAttempts), body)
            await session.end()
            return result
        } catch {
            await session.end()
            throw error
        }
    }

    private func runTransaction<Result: Sendable>(
        in session: MongoSession, maxAttempts: Int, _ body: (MongoSession) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            _ = try await execute("start_transaction", session: session) { context in
                try LibMongoc.call { error in mongoc_client_session_start_transaction(context.session, nil, &error) }
            }
            let result: Result
            do {
                result = try await body(session)
            } catch {
                await abort(session)
                if attempt < maxAttempts, (error as? MongoError)?.hasLabel("TransientTransactionError") == true {
                    logger.debug("retrying transaction after a transient error", metadata: ["error": "\(error)"])
                    try await Self.backOff(after: attempt)
                    attempt += 1
                    continue
                }
                throw error
            }
            do {
                try await commit(session)
                return result
            } catch let error as MongoError where error.hasLabel("TransientTransactionError") && attempt < maxAttempts {
                logger.debug("retrying transaction after a transient commit error", metadata: ["error": "\(error)"])
                try await Self.backOff(after: attempt)
                attempt += 1
            }
        }
    }

    /// Waits before the next attempt, exponentially longer (10 ms, 20 ms, ... up to 500 ms) with
    /// jitter, so the conflicting transaction has time to finish instead of conflicting again.
    private static func backOff(after attempt: Int) async throws {
        let ceiling = min(10 << min(attempt - 1, 6), 500)
        try await Task.sleep(for: .milliseconds(Int.random(in: ceiling / 2...ceiling)))
    }

    /// Commits, retrying up to three times while the outcome is unknown (libmongoc then sends
    /// the commit with a majority write concern, which is safe to repeat).
    private func commit(_ session: MongoSession) async throws {
        var retries = 0
        while true {
            do {
                _ = try await execute("commit_transaction", session: session) { context in
                    try LibMongoc.call { reply, error in
                        mongoc_client_session_commit_transaction(context.session, reply, &error)
                    }
                }
                return
            } catch let error as MongoError where error.hasLabel("UnknownTransactionCommitResult") && retries < 3 {
                retries += 1
            }
        }
    }

    /// Aborts the open transaction, if any; a failed abort only gets logged (the server discards
    /// the transaction after `transactionLifetimeLimitSeconds` anyway).
    private func abort(_ session: MongoSession) async {
        do {
            _ = try await execute("abort_transaction", session: session) { context in
                guard mongoc_client_session_in_transaction(context.session) else { return }
                try LibMongoc.call { error in mongoc_client_session_abort_transaction(context.session, &error) }
            }
        } catch {
            logger.warning("aborting a MongoDB transaction failed", metadata: ["error": "\(error)"])
        }
    }
}
