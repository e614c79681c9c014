/**
 * <SSEErrorBoundary>: catches a render error in a live widget and shows a fallback with a
 * limited number of retries, so one broken stream cannot blank the whole page or loop forever.
 */
import { Component, createElement as h } from 'react';

export class SSEErrorBoundary extends Component {
  constructor(props) {
    super(props);
    this.state = { error: null, retries: 0 };
    this.retry = this.retry.bind(this);
  }

  static getDerivedStateFromError(error) {
    return { error };
  }

  componentDidCatch(error, info) {
    this.props.onError?.(error, info);
  }

  get maxRetries() {
    return this.props.maxRetries ?? 3;
  }

  /** Renders the children again, while retries remain. Returns false once they are used up. */
  retry() {
    if (this.state.retries >= this.maxRetries) return false;
    this.setState((s) => ({ error: null, retries: s.retries + 1 }));
    this.props.onRetry?.(this.state.retries + 1);
    return true;
  }

  render() {
    const { error, retries } = this.state;
    if (!error) return this.props.children;
    const retriesLeft = Math.max(0, this.maxRetries - retries);
    const { fallback } = this.props;
    if (typeof fallback === 'function') return fallback({ error, retry: this.retry, retriesLeft, retries });
    if (fallback !== undefined) return fallback;
    return h('div', { className: 'lifeline-error', role: 'alert' },
      h('strong', { className: 'lifeline-error__title' }, 'This live view stopped working.'),
      h('span', { className: 'lifeline-error__detail' }, ` ${error?.message ?? String(error)}`),
      retriesLeft > 0
        ? h('button', { type: 'button', className: 'lifeline-error__retry', onClick: this.retry },
          `Try again (${retriesLeft} ${retriesLeft === 1 ? 'try' : 'tries'} left)`)
        : h('span', { className: 'lifeline-error__exhausted' }, ' Please reload the page.'));
  }
}
