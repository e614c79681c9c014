// Compiled by tests/js/manager-types.test.js with tsc --strict: the declarations added for the
// loss paths (retained state for leak checks, opt-in latency measurement).
import { createManager, type RetainedState } from '../../../js/index.js';

export function retained(): number {
  const m = createManager({ storage: null });
  const r: RetainedState = m.retainedState();
  return r.snapshots + r.listeners + r.stores + r.channels + r.channelHandles + r.connections + r.subscribers;
}
