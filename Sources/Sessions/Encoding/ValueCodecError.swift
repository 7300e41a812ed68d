/// Why the codec cannot store a value. Carries no part of the value: the reason reaches errors
/// and logs, and session data must not.
enum ValueCodecError: Error, CustomStringConvertible {
    /// Nested deeper than ``ValueCodec/maximumDepth``, which decoding would reject.
    case nestedTooDeeply

    var description: String {
        switch self {
        case .nestedTooDeeply: "nested more than \(ValueCodec.maximumDepth) levels deep"
        }
    }

    /// A reason for `error`, thrown while encoding a value, without the value: an
    /// `EncodingError` keeps only its description and coding path.
    static func reason(for error: any Error) -> String {
        guard let error = error as? EncodingError else { return String(describing: error) }
        switch error {
        case .invalidValue(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(context.debugDescription) at \(path)"
        @unknown default:
            return "the value could not be encoded"
        }
    }
}
