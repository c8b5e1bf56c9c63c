// Small line icons for states and actions; decorative (aria-hidden), the text next to them says it.
import type { IconName } from '../logic/overall.js';

type Name = IconName | 'arrow-up' | 'arrow-down' | 'conflict' | 'trash' | 'swap';

const PATHS: Record<Name, string> = {
  check: 'M5 12.5l4.5 4.5L19 7.5',
  sync: 'M19.5 9A8 8 0 0 0 5.6 7.2M4.5 15a8 8 0 0 0 13.9 1.8M19.5 4v5h-5M4.5 20v-5h5',
  pause: 'M9 6v12M15 6v12',
  offline: 'M3 3l18 18M8.5 8.6A5 5 0 0 0 7 18h10.5M20.6 16.7A3.5 3.5 0 0 0 17.5 11h-.3A6 6 0 0 0 11 6.1',
  alert: 'M12 4l9 16H3L12 4zM12 10v4.5M12 17.3v.2',
  signin: 'M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 8l4 4-4 4M14 12H4',
  folder: 'M3.5 7a2 2 0 0 1 2-2h4l2 2h7a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-13a2 2 0 0 1-2-2V7z',
  'arrow-up': 'M12 19V5M6 11l6-6 6 6',
  'arrow-down': 'M12 5v14M6 13l6 6 6-6',
  conflict: 'M8 4v10M8 14l-4 4M8 14l4 4M16 20V10M16 10l-4-4M16 10l4-4',
  trash: 'M5 7h14M10 7V4.5h4V7M7 7l1 13h8l1-13',
  swap: 'M4 8h15M15 4l4 4-4 4M20 16H5M9 12l-4 4 4 4',
};

export function Icon({ name, class: className }: { name: Name; class?: string }) {
  return (
    <svg class={`icon ${className ?? ''}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
