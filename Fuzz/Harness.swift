// libFuzzer's entry point for every harness of Fuzz/. Built by Fuzz/run together with the core's
// sources into one module, so the harnesses reach internal entry points. FUZZ_TARGET picks the
// harness; each checks its invariants and traps (a crash libFuzzer records) when one breaks.
import Foundation

/// The harnesses, by the name Fuzz/run gives them.
let harnesses: [String: @Sendable ([UInt8]) -> Void] = [
    "cookie": CookieHeaderHarness.run,
    "id": IdentifierHarness.run,
    "payload": PayloadHarness.run,
    "config": ConfigHarness.run,
    "form": FormHarness.run,
]

/// The harness FUZZ_TARGET names, looked up once.
let selected: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let harness = harnesses[name] else {
        FileHandle.standardError.write(Data("FUZZ_TARGET must be one of \(harnesses.keys.sorted()), got \(name)\n".utf8))
        exit(2)
    }
    return harness
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// Stops the run with `message` when an invariant does not hold: libFuzzer saves the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
        abort()
    }
}
