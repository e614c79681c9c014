/** The shim's text decoding (internal). */
export function decodeSpan(heap: Uint8Array, ptr: number, len: number): string;
export function decodeRegion(heap: Uint8Array, ptr: number, len: number, ascii: boolean): string | null;
export function regionSpan(text: string | null, heap: Uint8Array, base: number, off: number, len: number): string;
export function decodeBody(bytes: Uint8Array): string;
