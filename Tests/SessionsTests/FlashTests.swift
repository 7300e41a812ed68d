import Testing

@testable import Sessions

/// Laravel's and Goravel's flash tests: aging happens once per request, at the lifecycle's save.
@Suite struct FlashTests {
    let fixture: Fixture

    init() throws { fixture = try Fixture() }

    /// Ends a request on `session` as the lifecycle does: ages flash data and saves.
    func endRequest(_ session: Session) async throws {
        _ = try await session.persist(renewingCookie: false, agingFlashData: true)
    }

    /// Ends the request and reloads, as the next request would.
    func nextRequest(_ session: Session) async throws -> Session {
        try await endRequest(session)
        return try #require(try await fixture.manager.load(id: session.id.rawValue))
    }

    @Test func flashIsVisibleNowAndNextRequestThenGone() async throws {
        var session = try await fixture.manager.buildSession()
        session.flash("foo", "bar")
        session.flash("bar", 0)
        session.flash("baz")
        #expect(session.get("foo") == "bar")
        #expect(session.get("bar") == 0)
        #expect(session.get("baz") == true)
        session = try await nextRequest(session)
        #expect(session.get("foo") == "bar")
        #expect(session.get("bar") == 0)
        session = try await nextRequest(session)
        #expect(session.get("foo", as: String.self) == nil)
        #expect(session.oldFlashKeys.isEmpty && session.newFlashKeys.isEmpty)
    }

    @Test func flashAfterOldRemovesFromOld() async throws {
        var session = try await fixture.manager.buildSession()
        session.flash("qu", 1)
        session = try await nextRequest(session)
        #expect(session.oldFlashKeys == ["qu"])
        session.flash("foo", "bar")
        session.flash("qu", 2)
        #expect(session.newFlashKeys == ["foo", "qu"])
        #expect(session.oldFlashKeys.isEmpty)
    }

    @Test func nowIsForThisRequestOnly() async throws {
        var session = try await fixture.manager.buildSession()
        session.put("kept", true)
        session.now("foo", "bar")
        #expect(session.get("foo") == "bar")
        session = try await nextRequest(session)
        #expect(session.get("foo", as: String.self) == nil)
        #expect(session.get("kept") == true)
    }

    @Test func reflashKeepsEverythingOneMoreRequest() async throws {
        var session = try await fixture.manager.buildSession()
        session.flash("foo", "bar")
        session = try await nextRequest(session)
        session.reflash()
        #expect(session.newFlashKeys == ["foo"])
        #expect(session.oldFlashKeys.isEmpty)
        session = try await nextRequest(session)
        #expect(session.get("foo") == "bar")
        session = try await nextRequest(session)
        #expect(session.get("foo", as: String.self) == nil)
    }

    @Test func reflashAfterNowDoesNotDuplicate() async throws {
        let session = try await fixture.manager.buildSession()
        session.flash("foo", "bar")
        session.now("foo", "bar")
        session.reflash()
        #expect(session.newFlashKeys == ["foo"])
        #expect(session.oldFlashKeys.isEmpty)
    }

    @Test func keepKeepsSomeKeys() async throws {
        var session = try await fixture.manager.buildSession()
        session.flash("name", "Ada")
        session.flash("age", 36)
        session.flash("language", "Swift")
        session = try await nextRequest(session)
        session.keep("name", "language")
        session.keep()
        #expect(session.newFlashKeys == ["name", "language"])
        #expect(session.oldFlashKeys == ["age"])
        session = try await nextRequest(session)
        #expect(session.get("name") == "Ada")
        #expect(session.get("age", as: Int.self) == nil)
    }

    @Test func sessionHoldingFlashIsSavedWhenItAgesEvenIfUnchanged() async throws {
        var session = try await fixture.manager.buildSession()
        session.flash("status", "saved")
        session = try await nextRequest(session)
        let writes = fixture.probe.calls("write")
        try await endRequest(session)
        #expect(fixture.probe.calls("write") == writes + 1)
        let reloaded = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(reloaded.get("status", as: String.self) == nil)
        try await endRequest(reloaded)
        #expect(fixture.probe.calls("write") == writes + 1, "a session without flash data was rewritten")
    }

    @Test func backgroundSavesLeaveFlashDataForTheNextPage() async throws {
        let redirect = try await fixture.manager.buildSession()
        redirect.flash("status", "Profile saved")
        try await endRequest(redirect)
        // Two background jobs change the session between the redirect and the next page.
        for job in 0..<2 {
            let loaded = try #require(try await fixture.manager.load(id: redirect.id.rawValue))
            loaded.put("job_\(job)", true)
            try await loaded.save()
        }
        let page = try #require(try await fixture.manager.load(id: redirect.id.rawValue))
        #expect(page.get("status") == "Profile saved", "a background save aged the flash message away")
        #expect(page.get("job_1") == true)
        try await endRequest(page)
        let after = try #require(try await fixture.manager.load(id: redirect.id.rawValue))
        #expect(after.get("status", as: String.self) == nil, "the page that showed the message did not age it")
    }
}
