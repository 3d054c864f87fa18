import DragomanCore
import Testing

@Suite("TokenBucket")
struct TokenBucketTests {
    @Test func startsFullWithOneSecondOfTokens() {
        var bucket = TokenBucket(rate: 10)
        #expect(bucket.capacity == 10)
        #expect(bucket.isFull(now: 0))
        for _ in 0..<10 { #expect(bucket.take(now: 0) == true) }
        #expect(bucket.take(now: 0) == false)
        #expect(!bucket.isFull(now: 0))
    }

    @Test func refillsAtTheRate() {
        // Times are binary fractions so the arithmetic is exact.
        var bucket = TokenBucket(rate: 4)
        for _ in 0..<4 { _ = bucket.take(now: 100) }
        #expect(bucket.hasToken(now: 100.125) == false)
        #expect(bucket.hasToken(now: 100.25) == true)
        #expect(bucket.take(now: 100.25) == true)
        #expect(bucket.take(now: 100.25) == false)
        #expect(!bucket.isFull(now: 101))
        #expect(bucket.isFull(now: 101.25))
    }

    @Test func neverHoldsMoreThanItsCapacity() {
        var bucket = TokenBucket(rate: 5, capacity: 3)
        #expect(bucket.capacity == 3)
        _ = bucket.take(now: 0)
        var taken = 0
        while bucket.take(now: 1_000) { taken += 1 }
        #expect(taken == 3)
    }

    @Test func capacityIsAtLeastOne() {
        var bucket = TokenBucket(rate: 0.5)
        #expect(bucket.capacity == 1)
        #expect(bucket.take(now: 0) == true)
        #expect(bucket.take(now: 1) == false)
        #expect(bucket.take(now: 2) == true)
    }

    @Test func hasTokenDoesNotTakeOne() {
        var bucket = TokenBucket(rate: 1)
        #expect(bucket.hasToken(now: 0) == true)
        #expect(bucket.hasToken(now: 0) == true)
        #expect(bucket.take(now: 0) == true)
        #expect(bucket.hasToken(now: 0) == false)
    }

    @Test func takingMoreThanThereIsTakesNothing() {
        var bucket = TokenBucket(rate: 4)
        #expect(bucket.take(5, now: 0) == false)
        #expect(bucket.take(4, now: 0) == true)
        #expect(bucket.take(now: 0) == false)
    }

    @Test func aClockGoingBackwardsAddsNothing() {
        var bucket = TokenBucket(rate: 2)
        _ = bucket.take(2, now: 10)
        #expect(bucket.take(now: 5) == false)
    }
}
