#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes from the system's CSPRNG in one call. `SystemRandomNumberGenerator` makes one system
/// call per 64-bit draw on Linux; an ID (24 bytes) or a token (30 bytes) takes one here, through
/// `arc4random_buf` (glibc 2.36 and later, Darwin: `getrandom`/the kernel CSPRNG underneath).
enum SecureRandom {
    /// `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { fill($0) }
        return bytes
    }

    /// Fills `buffer` with random bytes.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc) || canImport(Darwin)
        if let base = buffer.baseAddress { arc4random_buf(base, buffer.count) }
        #else
        var generator = SystemRandomNumberGenerator()
        for index in buffer.indices { buffer[index] = generator.next() }
        #endif
    }
}
