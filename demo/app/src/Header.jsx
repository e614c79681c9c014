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

export function Header({ analysisChannel }) {
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        <div>
          <div className="brand__name">Strategist <em>live</em></div>
          <div className="brand__sub">Okafor for Council · ward operations room</div>
        </div>
      </div>
      <div className="topbar__status">
        <SSEStatusIndicator channel="feed" label="Feed" />
        {analysisChannel ? <SSEStatusIndicator channel={analysisChannel} label="Analysis" /> : null}
        <Clock />
      </div>
    </header>
  );
}
