// One past event: what happened to which file, when, how big; for conflicts both names, for
// deletes where the file went.
import type { ActivityItem } from '../../common/contract.js';
import { describeActivity } from '../logic/activity.js';
import { formatBytes, formatRelativeTime } from '../logic/format.js';
import { splitPath } from '../logic/paths.js';
import { Icon } from './Icon.js';

function iconFor(action: ActivityItem['action']) {
  switch (action) {
    case 'upload':
      return 'arrow-up' as const;
    case 'download':
      return 'arrow-down' as const;
    case 'delete_local':
    case 'delete_remote':
      return 'trash' as const;
    case 'move_local':
    case 'move_remote':
      return 'swap' as const;
    case 'conflict':
      return 'conflict' as const;
    case 'mkdir_local':
    case 'mkdir_remote':
      return 'folder' as const;
    case 'error':
    case 'notice':
      return 'alert' as const;
  }
}

export function ActivityRow({ item, now, pairLabel }: { item: ActivityItem; now: number; pairLabel?: string }) {
  const text = describeActivity(item);
  const { name, folder } = splitPath(item.path);
  return (
    <li class={`row activity-row tone-${text.tone}`}>
      <span class="row-icon" title={text.verb}>
        <Icon name={iconFor(item.action)} />
      </span>
      <span class="row-main">
        <span class="row-name" title={item.path}>
          <span class="sr-only">{text.sentence}. </span>
          <span aria-hidden="true">{name}</span>
        </span>
        <span class="row-sub">
          <span class="row-verb">{text.verb}</span>
          {` · ${folder || '/'}`}
          {pairLabel ? ` · ${pairLabel}` : ''}
        </span>
        {text.note && <span class="row-note">{text.note}</span>}
      </span>
      <span class="row-size num">{item.size !== undefined && item.action !== 'delete_local' && item.action !== 'delete_remote' ? formatBytes(item.size) : ''}</span>
      <span class="row-time num">
        <time dateTime={new Date(item.time).toISOString()}>{formatRelativeTime(item.time, now)}</time>
      </span>
    </li>
  );
}
