/**
 * lifeline-sse/react: React 18/19 bindings for the Lifeline runtime. Plain ESM over
 * React.createElement; importing it has no side effects (safe during server-side rendering).
 */
export { SSEProvider, LifelineContext } from './provider.js';
export {
  useSSE, useSSEStatus, useReconnectCountdown, useCountdown, useStaleSeconds, useSSEProgress, useSSEBuffer,
  useSSEMetrics, useServiceHealth, useRouter, useSSEManager, reduceProgress,
  ANALYSIS_STAGES, INITIAL_PROGRESS, PROGRESS_EVENTS, progressReducer, initialProgress,
} from './hooks.js';
export { useAIStream, aiStreamReducer, IDLE_AI_STREAM } from './ai-stream.js';
export {
  SSEStatusIndicator, ReconnectionAlert, SSEProgressBar, StreamingDataDisplay, ServiceHealthPanel,
  serviceStateText, healthNotice,
} from './components.js';
export { STATUS_LABELS, describeStatus, alertHeadline, nextStep, statusDetails, actionKind } from './status-text.js';
export { useSSEFeed, feedReducer, initialFeed, markerText, MARKER_EVENTS } from './feed.js';
export { SSEErrorBoundary } from './error-boundary.js';
export { PENDING_STATUS, parseData } from './stores.js';
