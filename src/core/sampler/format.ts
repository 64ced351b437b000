/** "45 s", "4 min", "1 h 20 min", "3 days": rounded, for warnings and status lines. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  return `${Math.round(h / 24)} days`;
}

export { plural } from '../model/plural';
