import { useEffect, useState } from 'react';
import { SSEStatusIndicator } from 'lifeline-sse/react';

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  return <time className="clock" dateTime={now.toISOString()}>{now.toLocaleTimeString('en-GB', { hour12: false })}</time>;
}

/**
 * The sticky top bar: the feed's and the running analysis's status stay in view while the page
 * scrolls; on narrow screens it also opens the chaos drawer.
 */
export function Header({ analysisChannel, chaosOpen, onToggleChaos, children }) {
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        <div>
          <div className="brand__name">Strategist <em>live</em></div>
          <div className="brand__sub">Okafor for Council · ward operations room</div>
        </div>
      </div>
      <button type="button" className="btn btn--chaos-toggle" aria-expanded={chaosOpen} aria-controls="chaos-panel"
        onClick={onToggleChaos}>{chaosOpen ? 'Hide faults' : 'Inject faults'}</button>
      <div className="topbar__status">
        <SSEStatusIndicator channel="feed" label="Feed" />
        {analysisChannel ? <SSEStatusIndicator channel={analysisChannel} label="Analysis" /> : null}
        <Clock />
      </div>
      {/* The alert hangs under the bar as an overlay: it never pushes the page down. */}
      <div className="alerts">{children}</div>
    </header>
  );
}
