/**
 * A dependency-free SVG bar chart for benchmark results: one group per label, one bar per
 * series. Hand-written because the charts are tiny and a plotting library would dwarf them.
 */
export interface BarChart {
  title: string;
  unit: string;
  labels: string[];
  series: { name: string; values: number[] }[];
}

const COLORS = ["#2f6fdf", "#e0803a", "#3aa55d", "#a855f7", "#d94452"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChartSvg(c: BarChart): string {
  const width = 720;
  const rowH = 22 * c.series.length + 18;
  const left = 200;
  const top = 48;
  const height = top + rowH * c.labels.length + 40;
  const max = Math.max(...c.series.flatMap((s) => s.values), 1e-9);
  const scale = (v: number) => ((width - left - 90) * v) / max;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
  ];
  // Legend entries side by side, each as wide as its name (about 7 px a character at 12 px).
  let lx = left;
  c.series.forEach((s, i) => {
    parts.push(
      `<rect x="${lx}" y="30" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${lx + 14}" y="39">${esc(s.name)}</text>`,
    );
    lx += 14 + 7 * s.name.length + 18;
  });
  c.labels.forEach((label, li) => {
    const y0 = top + li * rowH;
    parts.push(`<text x="${left - 8}" y="${y0 + rowH / 2}" text-anchor="end">${esc(label)}</text>`);
    c.series.forEach((s, si) => {
      const v = s.values[li] ?? 0;
      const y = y0 + 6 + si * 22;
      parts.push(
        `<rect x="${left}" y="${y}" width="${scale(v).toFixed(1)}" height="18" fill="${COLORS[si % COLORS.length]}"/>`,
        `<text x="${left + scale(v) + 4}" y="${y + 13}">${v.toLocaleString("en", { maximumFractionDigits: 2 })} ${esc(c.unit)}</text>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
