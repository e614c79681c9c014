/**
 * <SSEProvider>: one manager (and optionally one router) for its subtree. Either the app passes
 * its own, created after `await init()` (then the hooks have it from the first render, and the
 * provider never closes it), or the provider creates one lazily in an effect after init()
 * resolves, so nothing touches the Wasm, window or EventSource during server-side rendering;
 * children render meanwhile and see 'connecting'.
 */
import { createContext, createElement, useContext, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';

// useLayoutEffect warns during server rendering in React 18; effects never run there anyway.
export const useIsoLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect;

/** Context default is undefined so hooks can tell "outside the provider" apart. */
export const LifelineContext = createContext(undefined);

const EMPTY = /* @__PURE__ */ Object.freeze({ manager: null, router: null, error: null });

// Loading the runtime lazily keeps the Wasm out of server bundles and of import time. The
// router's JS and Wasm load only for a provider given routerOptions: an SSE-only app never
// downloads them (each import is a chunk of its own in a bundle).
const managerRuntime = () => import('./runtime-manager.js');
const routerRuntime = () => import('./runtime-router.js');

/**
 * The provider's state, kept in a ref: one per provider instance. It is reference counted so
 * that Strict Mode's mount → unmount → mount reuses the same manager (and its connections): the
 * close is deferred by a macrotask and cancelled when the provider mounts again.
 */
export class LifelineBinding {
  #state = EMPTY;
  #listeners = new Set();
  #refs = 0;
  #closeTimer = null;
  #generation = 0; // bumps on dispose so a late init() result is dropped
  #starting = false;
  #owned = { manager: false, router: false };
  #injected;
  #initial; // what the first render sees, on the server and during hydration too
  #config = {};
  #desired = {}; // channel name → connect config
  #connected = new Map(); // channel name → config key it was connected with
  #latest = new Map(); // channel name → its latest config (whose functions are called)
  #trampolines = new Map(); // channel name → { option: the stable function the manager holds }

  /** manager / router: the app's own, given on the provider's first render. */
  constructor({ manager = null, router = null } = {}) {
    this.#injected = { manager, router };
    // An app-created manager is in the state from the start: useSSEManager() is never null
    // under it, and the layout effect connects the channels before any child effect subscribes.
    this.#initial = manager || router ? Object.freeze({ manager, router, error: null }) : EMPTY;
    this.#state = this.#initial;
    this.subscribe = this.subscribe.bind(this);
    this.getSnapshot = this.getSnapshot.bind(this);
    this.getServerSnapshot = this.getServerSnapshot.bind(this);
  }

  /** The props the provider was rendered with (read when the manager is created). */
  configure(config) {
    this.#config = config;
  }

  subscribe(cb) {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  getSnapshot() {
    return this.#state;
  }

  // The same on the server and in the hydrating render: the app's own objects, or EMPTY.
  getServerSnapshot() {
    return this.#initial;
  }

  #set(patch) {
    this.#state = { ...this.#state, ...patch };
    this.#notify();
  }

  // Listeners also hear about channel changes (the state object stays the same, so
  // useSyncExternalStore readers do not re-render): useSSE waits on it for a channel not yet
  // bound, and learns from change.removed that the manager dropped its subscription.
  #notify(change) {
    for (const cb of [...this.#listeners]) cb(change);
  }

  /** Mounts: the first retain creates (or takes the injected) manager and router. */
  retain(manager, router) {
    this.#injected = { manager: manager ?? null, router: router ?? null };
    this.#refs++;
    if (this.#closeTimer !== null) {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
    }
    if (!this.#state.manager && !this.#starting) this.#start();
  }

  release() {
    this.#refs--;
    if (this.#refs > 0 || this.#closeTimer !== null) return;
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = null;
      if (this.#refs === 0) this.#dispose();
    }, 0);
  }

  #start() {
    const { manager, router } = this.#injected;
    const { options, routerOptions, initOptions, runtime, share } = this.#config;
    if (manager) {
      const next = { manager, router: router ?? this.#state.router, error: null };
      // Unchanged (the first mount of a provider given its manager): no new state, no re-render.
      if (this.#state.manager !== next.manager || this.#state.router !== next.router || this.#state.error) this.#set(next);
      this.#applyChannels();
      if (router || !routerOptions) return;
    }
    this.#starting = true;
    const gen = this.#generation;
    const wantRouter = !!routerOptions && !router;
    Promise.resolve()
      .then(async () => {
        const scope = shareScope(share, options);
        const routerCfg = wantRouter ? routerScope(scope, routerOptions) : null;
        const mod = runtime ?? await managerRuntime();
        const routerMod = wantRouter ? runtime ?? await routerRuntime() : null;
        // A shared router runs in the hub, which loads the router module: the tab needs only the
        // share chunk; a tab's own router needs the module here.
        const shared = scope.init || routerCfg?.share === 'origin' ? { share: 'origin' } : null;
        const init = shared ? { ...initOptions, ...shared } : initOptions;
        await (routerMod ?? mod).init(routerMod && routerCfg.share !== 'origin' ? { ...init, router: true } : init);
        if (gen !== this.#generation) return;
        if (this.#refs === 0) { // unmounted while init() ran: the pending close disposes us
          this.#starting = false;
          return;
        }
        const patch = { error: null };
        if (!this.#state.manager) {
          patch.manager = mod.createManager(scope.options);
          this.#owned.manager = true;
        }
        if (!this.#state.router && !this.#injected.router && routerMod) {
          patch.router = routerMod.createRouter(routerCfg);
          this.#owned.router = true;
        }
        this.#starting = false;
        this.#set(patch);
        this.#applyChannels();
      })
      .catch((error) => {
        if (gen !== this.#generation) return;
        this.#starting = false;
        this.#set({ error });
      });
  }

  /** Uses an app-provided manager/router; they are never closed by the provider. */
  inject(manager, router) {
    const prev = this.#injected;
    this.#injected = { manager: manager ?? null, router: router ?? null };
    if (prev.manager === this.#injected.manager && prev.router === this.#injected.router) return;
    const patch = {};
    if (manager && this.#state.manager !== manager) {
      this.#closeOwned('manager');
      patch.manager = manager;
      this.#connected.clear();
    }
    if (router && this.#state.router !== router) {
      this.#closeOwned('router');
      patch.router = router;
    }
    if (Object.keys(patch).length && this.#refs > 0) {
      this.#set(patch);
      this.#applyChannels();
    }
  }

  setChannels(channels) {
    this.#desired = channels ?? {};
    this.#applyChannels();
  }

  // Connects channels that are new, connects again those whose config changed (the manager
  // rebinds the channel and keeps its subscribers), disconnects removed ones. An unchanged channel
  // is never connected twice.
  #applyChannels() {
    const m = this.#state.manager;
    if (!m) return;
    let added = false;
    const removed = [];
    for (const [name, cfg] of Object.entries(this.#desired)) {
      if (!cfg || !cfg.url) continue;
      this.#latest.set(name, cfg);
      const key = configKey(cfg);
      const was = this.#connected.get(name);
      if (was === key) continue;
      const { url, ...connectOptions } = this.#stableFunctions(name, cfg);
      m.connect(name, url, connectOptions);
      this.#connected.set(name, key);
      added = true;
    }
    for (const name of [...this.#connected.keys()]) {
      if (!(name in this.#desired)) {
        m.disconnect(name);
        this.#connected.delete(name);
        this.#latest.delete(name);
        this.#trampolines.delete(name);
        removed.push(name);
      }
    }
    if (added || removed.length) this.#notify({ removed });
  }

  // A function option (headers, onAuthRequired) reaches the manager as one stable function per
  // channel and option that calls the latest one: an inline function is new on every render,
  // and passing it through would make every render another stream (its identity is in the pool
  // key), while ignoring it (JSON.stringify drops functions) never applied a changed one.
  #stableFunctions(name, cfg) {
    let t = this.#trampolines.get(name);
    if (!t) this.#trampolines.set(name, (t = {}));
    const out = { ...cfg };
    for (const [opt, v] of Object.entries(cfg)) {
      if (typeof v !== 'function') continue;
      t[opt] ??= (...args) => this.#latest.get(name)?.[opt]?.(...args);
      out[opt] = t[opt];
    }
    return out;
  }

  #closeOwned(which) {
    const obj = this.#state[which];
    if (!obj || !this.#owned[which]) return;
    this.#owned[which] = false;
    try {
      if (which === 'manager') obj.destroy(); // closeAll() and the Wasm memory
      else obj.close();
    } catch {
      // closing is best effort during teardown
    }
  }

  #dispose() {
    this.#generation++;
    this.#starting = false;
    this.#closeOwned('manager');
    this.#closeOwned('router');
    this.#connected.clear();
    this.#state = EMPTY;
    for (const cb of [...this.#listeners]) cb();
  }
}

/**
 * Props: options (createManager options), channels ({ name: { url, ...connectOptions } }),
 * manager / router (the app's own, created after `await init()`: the hooks have them from the
 * first render, server render included, and the provider never closes them), routerOptions (createRouter options: create an owned router too), initOptions
 * (passed to init()), runtime (module with init/createManager/createRouter; default 'lifeline-sse'),
 * share ('tab', the default, or 'origin': one stream per origin across tabs, docs/sharing.md).
 */
export function SSEProvider(props) {
  const { options, channels, manager, router, routerOptions, initOptions, runtime, share, children } = props;
  const ref = useRef(null);
  if (ref.current === null) ref.current = new LifelineBinding({ manager, router });
  const binding = ref.current;
  binding.configure({ options, routerOptions, initOptions, runtime, share });

  useEffect(() => {
    binding.inject(manager, router);
  }, [binding, manager, router]);

  useEffect(() => {
    binding.retain(manager, router);
    return () => binding.release();
    // The manager is created once per provider; later option changes do not recreate it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [binding]);

  // A layout effect: every layout effect of a commit runs before any passive one, so a channel
  // added in this render is connected before the children's useSSE effects subscribe to it.
  // Every commit: an unchanged config costs a key comparison, and new function options (often
  // inline) must reach the stable functions the manager holds.
  useIsoLayoutEffect(() => {
    binding.setChannels(channels);
  });

  return createElement(LifelineContext.Provider, { value: binding }, children);
}

/**
 * init() and createManager() options for the provider's share prop: 'origin' loads the sharing
 * chunk and makes a SharedManager (docs/sharing.md); 'tab' (the default) leaves both as given.
 * options.share may say the same thing; saying two different things is an error, not a guess.
 */
function shareScope(share, options) {
  const given = options?.share;
  const scope = share ?? given ?? 'tab';
  if (scope !== 'tab' && scope !== 'origin') throw new TypeError(`<SSEProvider>: share must be 'tab' or 'origin', got ${JSON.stringify(scope)}`);
  if (given !== undefined && given !== scope) throw new TypeError(`<SSEProvider>: share="${scope}" but options.share is ${JSON.stringify(given)}; set it once, on the provider`);
  if (scope === 'tab') return { init: null, options };
  return { init: { share: 'origin' }, options: { ...options, share: 'origin' } };
}

// Under share="origin" the provider's router is shared as well (one probe of each service per
// origin), unless routerOptions.share says otherwise.
function routerScope(scope, routerOptions) {
  if (!scope.init || routerOptions.share !== undefined) return routerOptions;
  return { ...routerOptions, share: 'origin' };
}

/** What makes a channel's config another connection: functions count by presence, not identity. */
function configKey(cfg) {
  return JSON.stringify(cfg, (k, v) => (typeof v === 'function' ? '#function' : v));
}

/** The provider's binding; throws a clear error outside <SSEProvider>. */
export function useBinding(hookName) {
  const binding = useContext(LifelineContext);
  if (binding === undefined) {
    throw new Error(`${hookName} must be used inside <SSEProvider> (lifeline-sse/react): wrap your app in <SSEProvider>.`);
  }
  return binding;
}

/** { manager, router, error } of the nearest provider; re-renders when they appear. */
export function useLifelineState(hookName = 'useLifelineState') {
  const binding = useBinding(hookName);
  return useSyncExternalStore(binding.subscribe, binding.getSnapshot, binding.getServerSnapshot);
}
