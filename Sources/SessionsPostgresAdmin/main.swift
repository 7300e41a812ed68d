#if Postgres
import ArgumentParser

// By hand, not `@main` (a build without the trait would have no `main` to link) and not
// `main()` (which resolves to the synchronous entry point here).
do {
    var command = try await SessionsPostgresCommand.asyncParseAsRoot(nil)
    if let text = command as? any TextCommand {
        print(try await text.output(), terminator: "")
    } else {
        try command.run()
    }
} catch {
    SessionsPostgresCommand.exit(withError: error)
}
#endif
