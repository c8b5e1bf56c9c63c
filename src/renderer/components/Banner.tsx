// A message across the top of a section or the window: warnings, the sign-in-again call, held
// mass deletes. `role` is 'alert' only for things that need the user now.
import type { ComponentChildren } from 'preact';
import type { Tone } from '../logic/overall.js';
import { Icon } from './Icon.js';

export function Banner({ tone, title, children, actions, urgent }: { tone: Tone; title: string; children?: ComponentChildren; actions?: ComponentChildren; urgent?: boolean }) {
  return (
    <div class={`banner tone-${tone}`} role={urgent ? 'alert' : 'status'}>
      <Icon name={tone === 'error' || tone === 'warn' ? 'alert' : 'sync'} class="banner-icon" />
      <div class="banner-text">
        <p class="banner-title">{title}</p>
        {children && <div class="banner-body">{children}</div>}
      </div>
      {actions && <div class="banner-actions">{actions}</div>}
    </div>
  );
}
