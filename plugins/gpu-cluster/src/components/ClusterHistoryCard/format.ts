/** "30 s", "5 min", "2 h", "3 d": a sampling interval or a wait, in its largest whole unit. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** A wait: "—" when unknown, else "4 min 10 s" under an hour, "2 h 5 min" above. */
export function formatWait(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds % 60);
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** A step's start as the chart's axis shows it: time of day, with the date over a day. */
export function tickOf(t: string | number, spanMs: number): string {
  const d = new Date(t);
  return spanMs > 86_400_000
    ? d.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
    : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
