// Compiled by tests/js/manager-types.test.js with tsc --strict: the declarations added for the
// loss paths (retained state for leak checks, opt-in latency measurement).
import { createManager, type RetainedState } from '../../../js/index.js';
import { sha256, sha256Hex } from '../../../js/sha256.js';
import { latencyProbe } from '../../../js/manager-latency.js';

export function retained(): number {
  const m = createManager({ storage: null });
  const r: RetainedState = m.retainedState();
  return r.snapshots + r.listeners + r.stores + r.channels + r.channelHandles + r.connections + r.subscribers;
}

export function latency(): number {
  const a = createManager({ measureLatency: true });
  const b = createManager({ measureLatency: { field: 'sentAt', unit: 's' } });
  return (a.getMetrics().eventLatencyMs?.count ?? 0) + (b.getMetrics().eventLatencyMs?.p99 ?? 0);
}

export function internals(): string {
  const probe = latencyProbe({ field: 'ts', unit: 's' });
  return `${sha256Hex('x')}${probe?.('{"ts": 1}', 2000) ?? ''}${sha256(new Uint8Array(1)).length}`;
}
