import DragomanCore
import Testing

@Suite struct DurationSecondsTests {
    @Test func wholeAndFractionalSeconds() {
        #expect(Duration.seconds(12).inSeconds == 12)
        #expect(Duration.milliseconds(20).inSeconds == 0.02)
        #expect(Duration.milliseconds(-1500).inSeconds == -1.5)
        #expect(Duration.zero.inSeconds == 0)
    }
}
