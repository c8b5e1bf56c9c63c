// A fixed-size progress bar: the fill moves, the layout never does.
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={clamped}>
      <div class="progress-fill" style={{ transform: `scaleX(${clamped / 100})` }} />
    </div>
  );
}
