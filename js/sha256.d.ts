/** SHA-256 of bytes (32 bytes). Internal: the manager's pool and storage keys. */
export declare function sha256(bytes: Uint8Array): Uint8Array;
/** The first `hexDigits` (default 32) hex digits of SHA-256 of the string's UTF-8 bytes. */
export declare function sha256Hex(text: string, hexDigits?: number): string;
