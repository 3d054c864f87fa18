import Hummingbird

/// Holds the HTTP routes that name a session or check a key to the allowance of failed guesses
/// that `/ws` connects have: a 401, 403 or 404 counts against the client's address, and an
/// address over its allowance is answered 429 with `Retry-After` before the route runs. Without
/// it, session ids, passcodes and transcripts could be swept over HTTP at any rate.
struct FailedGuessMiddleware: RouterMiddleware {
    let limiter: FailedConnectLimiter
    let addresses: ClientAddressResolver

    func handle(
        _ request: Request, context: DragomanRequestContext, next: (Request, DragomanRequestContext) async throws -> Response
    ) async throws -> Response {
        let address = addresses.clientAddress(of: request, context: context)
        if let refusal = await limiter.refusal(address) {
            ServerMetrics.rateLimitRejections("failedGuesses").increment()
            throw refusal
        }
        do {
            let response = try await next(request, context)
            if FailedConnectLimiter.isFailedGuess(response.status) { await limiter.recordFailure(address) }
            return response
        } catch let error as any HTTPResponseError {
            if FailedConnectLimiter.isFailedGuess(error.status) { await limiter.recordFailure(address) }
            throw error
        }
    }
}
