import DragomanCore
import Testing

@Suite("StatusUpdatePolicy")
struct StatusUpdatePolicyTests {
    private let es = LanguageCode("es")!
    private let fr = LanguageCode("fr")!

    @Test func aLanguageGainingItsFirstListenerIsNewLanguage() {
        var policy = StatusUpdatePolicy()
        #expect(policy.reason(before: [:], after: [es: 1]) == .newLanguage)
        policy.didSend(listenerCount: 40)
        // Even when the total barely moved.
        #expect(policy.reason(before: [es: 40], after: [es: 40, fr: 1]) == .newLanguage)
        // A language that emptied and fills again is new again.
        #expect(policy.reason(before: [es: 40, fr: 0], after: [es: 40, fr: 1]) == .newLanguage)
        // A language that already had listeners is not.
        #expect(policy.reason(before: [es: 40, fr: 1], after: [es: 40, fr: 2]) == nil)
    }

    @Test func anyChangeFromZeroSentCounts() {
        let policy = StatusUpdatePolicy()
        #expect(policy.lastSentCount == 0)
        #expect(policy.reason(before: [es: 1], after: [es: 2]) == .listenerCountChange)
        #expect(policy.reason(before: [es: 1], after: [:]) == nil)
    }

    @Test func moreThanTenPercentSinceTheLastSentCounts() {
        var policy = StatusUpdatePolicy()
        policy.didSend(listenerCount: 10)
        // 1 of 10 is exactly 10 %: not more.
        #expect(policy.reason(before: [es: 10], after: [es: 11]) == nil)
        #expect(policy.reason(before: [es: 10], after: [es: 9]) == nil)
        #expect(policy.reason(before: [es: 11], after: [es: 12]) == .listenerCountChange)
        #expect(policy.reason(before: [es: 9], after: [es: 8]) == .listenerCountChange)
    }

    @Test func driftIsMeasuredFromTheLastSentNotThePreviousChange() {
        var policy = StatusUpdatePolicy()
        policy.didSend(listenerCount: 20)
        #expect(policy.reason(before: [es: 20], after: [es: 21]) == nil)
        #expect(policy.reason(before: [es: 21], after: [es: 22]) == nil)
        #expect(policy.reason(before: [es: 22], after: [es: 23]) == .listenerCountChange)
        policy.didSend(listenerCount: 23)
        #expect(policy.lastSentCount == 23)
        #expect(policy.reason(before: [es: 23], after: [es: 24]) == nil)
    }

    @Test func totalsAcrossLanguagesCount() {
        var policy = StatusUpdatePolicy()
        policy.didSend(listenerCount: 10)
        // A listener moving between languages leaves the total alone.
        #expect(policy.reason(before: [es: 6, fr: 4], after: [es: 5, fr: 5]) == nil)
        #expect(policy.reason(before: [es: 6, fr: 4], after: [es: 7, fr: 5]) == .listenerCountChange)
    }

    @Test func theThresholdIsConfigurable() {
        var policy = StatusUpdatePolicy(changeThreshold: 0.5)
        policy.didSend(listenerCount: 10)
        #expect(policy.reason(before: [es: 10], after: [es: 15]) == nil)
        #expect(policy.reason(before: [es: 10], after: [es: 16]) == .listenerCountChange)
    }
}
