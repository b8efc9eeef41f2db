// Dates and durations as operators read them.

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** "3 d 4 h", "12 min", "40 s". */
export function age(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export const yesNo = (v) => (v === null || v === undefined ? 'unknown' : v ? 'yes' : 'no');

/** "pending_approval" → "pending approval". */
export const words = (v) => (v ? String(v).replace(/_/g, ' ') : '—');
