"""Pure text helpers, used by every process: language, masking, plain text, messages to partners."""
