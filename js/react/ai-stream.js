/**
 * useAIStream: a streamed AI answer (router.stream, issue 16) as React state: the text so far,
 * the service in use, a notice when another service took over, the end (complete or an error).
 * One call per (capability, request key) while mounted; a new key or an unmount aborts the
 * call for real (its fetch is aborted, the server sees the socket close).
 */
import { useEffect, useReducer } from 'react';
import { useLifelineState } from './provider.js';

/** The state before a call starts (and while there is no router or no request). */
export const IDLE_AI_STREAM = /* @__PURE__ */ Object.freeze({
  text: '', service: null, status: 'idle', notice: null, switched: false, done: false, complete: false, error: null, result: null,
});

function noticeOf(n) {
  const lead = n.mode === 'restart' ? `${n.from} stopped (${n.reason}); ${n.to} is answering from the start`
    : n.mode === 'continue' ? `${n.from} stopped (${n.reason}); ${n.to} continues the answer`
      : n.mode === 'resume' ? `${n.to} dropped (${n.reason}); resuming`
        : `${n.from} did not answer (${n.reason}); switched to ${n.to}`;
  return { ...n, text: lead };
}

/** The reducer of the hook's state; exported for tests. */
export function aiStreamReducer(state, a) {
  switch (a.type) {
    case 'start': return { ...IDLE_AI_STREAM, status: 'connecting' };
    case 'text': return { ...state, text: state.text + a.data, service: a.service, status: 'streaming' };
    case 'restart': return { ...state, text: '', service: a.service };
    case 'switch': return { ...state, service: a.notice.to, notice: noticeOf(a.notice), switched: true };
    case 'status': return state.status === a.status.state && state.service === (a.status.service ?? state.service) ? state
      : { ...state, status: a.status.state, service: a.status.service ?? state.service };
    case 'done': return { ...state, status: 'done', done: true, complete: a.result.complete, result: a.result, text: a.result.text, service: a.result.service };
    case 'error': return { ...state, status: 'failed', done: true, error: a.error, text: a.error.partial ?? state.text };
    case 'reset': return IDLE_AI_STREAM;
    default: return state;
  }
}

const keyOf = (capability, request) => (request ? request.key ?? JSON.stringify([capability, request.path ?? '', request.body ?? null]) : null);

/**
 * Streams `request` (router.stream options; `key` names the call, else capability + path +
 * body do) from the provider's router. null/undefined request: no call (the state is idle).
 * Returns { text, service, status, notice, switched, done, complete, error, result }.
 */
export function useAIStream(capability, request) {
  const { router } = useLifelineState('useAIStream');
  const [state, dispatch] = useReducer(aiStreamReducer, IDLE_AI_STREAM);
  const key = keyOf(capability, request);
  useEffect(() => {
    if (!router || key === null) return undefined;
    const ctrl = new AbortController();
    const { key: _k, signal: _s, ...opts } = request;
    dispatch({ type: 'start' });
    let stream;
    try {
      stream = router.stream(capability, {
        ...opts, signal: ctrl.signal,
        onStatus: (status) => { if (!ctrl.signal.aborted) dispatch({ type: 'status', status }); },
        onSwitch: (notice) => { if (!ctrl.signal.aborted) dispatch({ type: 'switch', notice }); },
      });
    } catch (error) {
      dispatch({ type: 'error', error });
      return undefined;
    }
    (async () => {
      try {
        for await (const e of stream) {
          if (ctrl.signal.aborted) return;
          if (e.type === 'text' || e.type === 'restart') dispatch(e);
        }
        const result = await stream.result;
        if (!ctrl.signal.aborted) dispatch({ type: 'done', result });
      } catch (error) {
        if (!ctrl.signal.aborted) dispatch({ type: 'error', error });
      }
    })();
    return () => ctrl.abort();
    // The key stands for the request: a new object with the same key is the same call.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [router, capability, key]);
  return key === null ? IDLE_AI_STREAM : state;
}
