// Compiled by tests/js/manager-types.test.js with tsc --strict: lifeline-sse/react declarations added
// for the loss paths (a stable per-delivery key from useSSEBuffer).
import { useSSEBuffer, type BufferSnapshot } from '../../../js/react/index.js';

export function keys(): number[] {
  const b: BufferSnapshot = useSSEBuffer('feed', { max: 10 });
  return b.items.map((_, i) => b.firstSeq + i);
}
