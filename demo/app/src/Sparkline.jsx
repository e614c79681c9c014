/** A small inline SVG line chart; no chart library. values: numbers, oldest first. */
export function Sparkline({ values, width = 160, height = 36, max, label, className = '' }) {
  const n = values.length;
  const top = Math.max(max ?? 0, ...values, 1);
  const step = n > 1 ? width / (n - 1) : width;
  const y = (v) => height - 2 - (Math.max(0, v) / top) * (height - 4);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const area = n > 1 ? `0,${height} ${points} ${((n - 1) * step).toFixed(1)},${height}` : '';
  return (
    <svg className={`spark ${className}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none"
      role="img" aria-label={label}>
      {n > 1 ? <polygon className="spark__area" points={area} /> : null}
      {n > 1 ? <polyline className="spark__line" points={points} /> : null}
      {n > 0 ? <circle className="spark__dot" cx={((n - 1) * step).toFixed(1)} cy={y(values[n - 1]).toFixed(1)} r="2.5" /> : null}
    </svg>
  );
}

/** A bar per value, for discrete samples such as recovery times. */
export function Bars({ values, width = 160, height = 36, label }) {
  const top = Math.max(...values, 1);
  const w = values.length ? Math.min(14, width / values.length - 2) : 0;
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
      {values.map((v, i) => {
        const h = Math.max(2, (v / top) * (height - 4));
        return <rect key={i} className="spark__bar" x={i * (w + 2)} y={height - h} width={w} height={h} rx="1.5" />;
      })}
    </svg>
  );
}
