// One file moving right now: direction, name, size, a progress bar. Columns have fixed widths and
// digits are tabular, so nothing shifts while the numbers change.
import type { Transfer } from '../../common/contract.js';
import { directionLabel } from '../logic/activity.js';
import { formatBytes, percent } from '../logic/format.js';
import { splitPath } from '../logic/paths.js';
import { Icon } from './Icon.js';
import { ProgressBar } from './ProgressBar.js';

export function TransferRow({ transfer }: { transfer: Transfer }) {
  const { name, folder } = splitPath(transfer.path);
  const dir = directionLabel(transfer.direction);
  const pct = percent(transfer.bytes, transfer.total);
  return (
    <li class="row transfer-row">
      <span class={`row-icon dir-${transfer.direction}`} title={dir.text}>
        <Icon name={transfer.direction === 'up' ? 'arrow-up' : 'arrow-down'} />
        <span class="sr-only">{dir.text}</span>
      </span>
      <span class="row-main">
        <span class="row-name" title={transfer.path}>
          {name}
        </span>
        <span class="row-sub">{folder || '/'}</span>
      </span>
      <span class="transfer-progress">
        <ProgressBar value={pct} label={`${dir.text} ${name}`} />
        <span class="transfer-numbers num">
          {formatBytes(transfer.bytes)} of {formatBytes(transfer.total)}
        </span>
      </span>
    </li>
  );
}
