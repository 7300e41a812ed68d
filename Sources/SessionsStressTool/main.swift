import Foundation

// Drives FileSessionDriver from a separate OS process for the cross-process tests.
exit(await StressTool.run(Array(CommandLine.arguments.dropFirst())))
