/** The C router's ABI (internal to js/router.js). */
export const ACT_CALL: 1;
export const ACT_CANCEL: 2;
export const ACT_PROBE: 3;
export const ACT_DONE: 4;
export const ACT_HEALTH: 5;
export const ACT_DEGRADED: 6;
export const ACT_RECOVERED: 7;
export declare class CoreRouter {
  readonly networkError: number;
  readonly timedOut: number;
  constructor(options: Record<string, unknown>, handlers: { onResponse(id: number, status: number, body: Uint8Array, headers: string): void; complete(id: number, status: number): void });
  addService(service: { name: string; baseUrl: string; capabilities: string; priority: number; timeoutMs: number; healthPath: string }, now: number): number;
  request(capability: string, timeoutMs: number, now: number): number;
  abort(id: number, now: number): number;
  complete(id: number, status: number, now: number): number;
  tick(now: number): void;
  deadline(): number;
  setOnline(online: boolean, now: number): number;
  explain(capability: string, now: number): string;
  nextAction(): Record<string, unknown> | null;
  info(i: number, now: number): Record<string, unknown> | null;
  healthName(h: number): string;
  fetch(id: number, method: string, url: string, headers: Record<string, string>, body: string | Uint8Array | null, timeoutMs: number): boolean;
  cancel(id: number): void;
  free(): void;
}
