import BazaarRuntime
import Testing

@Suite("when the launcher starts a dead child again")
struct RestartScheduleTests {
    @Test("at once the first time, doubling while it keeps dying young, up to 30 s; a long run starts over; each child counts alone")
    func delays() {
        var schedule = RestartSchedule()
        let young = Duration.seconds(2)
        #expect(schedule.delay(afterExitOf: "order", uptime: .seconds(600)) == .milliseconds(250))
        #expect(schedule.delay(afterExitOf: "order", uptime: young) == .milliseconds(500))
        #expect(schedule.delay(afterExitOf: "order", uptime: young) == .seconds(1))
        #expect(schedule.delay(afterExitOf: "payment", uptime: young) == .milliseconds(250))
        for _ in 0..<20 { _ = schedule.delay(afterExitOf: "order", uptime: nil) }
        #expect(schedule.delay(afterExitOf: "order", uptime: young) == RestartSchedule.longestDelay)
        #expect(schedule.delay(afterExitOf: "order", uptime: RestartSchedule.healthyUptime) == .milliseconds(250))
        #expect(RestartSchedule.describe(.milliseconds(250)) == "250 ms")
        #expect(RestartSchedule.describe(.seconds(30)) == "30 s")
    }
}
