// Charts by Chart.js, tree-shaken: only the bar and line controllers, their elements and the
// category and linear scales are registered (no legend or tooltip plugin: the legend is HTML
// here, and the table beneath each chart holds every figure). The canvas is an image with a
// text alternative.
import { useEffect, useRef } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, LineController, LineElement, LinearScale,
  PointElement,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 14;
Chart.defaults.color = '#374151';
Chart.defaults.animation = false; // figures, not a show; and steady screenshots

export function ChartView({ config, label, height, legend = [] }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <figure class="rpt-figure">
      <div class="rpt-chart" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={label}>{label}</canvas>
      </div>
      {legend.length > 0 && (
        <ul class="rpt-legend" aria-hidden="true">
          {legend.map((l) => (
            <li key={l.label}><span class={`rpt-swatch rpt-swatch-${l.shape}`} style={{ background: l.colour }} />{l.label}</li>
          ))}
        </ul>
      )}
    </figure>
  );
}
