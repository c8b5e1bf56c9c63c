// Activity entries as sentences: conflicts name both files, deletes say where the file went.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityItem } from '../../src/common/contract.js';
import { describeActivity, directionLabel, type ActivityText } from '../../src/renderer/logic/activity.js';

test('describeActivity', () => {
  const rows: [Pick<ActivityItem, 'action' | 'path' | 'detail'>, ActivityText][] = [
    [{ action: 'upload', path: '/a/Report.pdf' }, { verb: 'Uploaded', sentence: 'Uploaded Report.pdf to Dropbox', tone: 'ok' }],
    [{ action: 'download', path: '/b.txt' }, { verb: 'Downloaded', sentence: 'Downloaded b.txt from Dropbox', tone: 'ok' }],
    [{ action: 'delete_local', path: '/x/old.txt', detail: 'moved to the trash: /home/u/.local/share/Trash/files/old.txt' }, { verb: 'Deleted here', sentence: 'Deleted old.txt on this computer', note: 'Moved to the trash: /home/u/.local/share/Trash/files/old.txt', tone: 'neutral' }],
    [{ action: 'delete_local', path: '/x/old.txt' }, { verb: 'Deleted here', sentence: 'Deleted old.txt on this computer', note: 'Moved to the trash', tone: 'neutral' }],
    [{ action: 'notice', path: '/x/kept.txt', detail: 'kept, not synced because excluded' }, { verb: 'Note', sentence: 'kept.txt: kept, not synced because excluded', note: 'Kept, not synced because excluded', tone: 'neutral' }],
    [{ action: 'delete_remote', path: '/x/old.txt', detail: '  ' }, { verb: 'Deleted in Dropbox', sentence: 'Deleted old.txt in Dropbox', note: 'Dropbox keeps deleted files for a while; restore it from dropbox.com', tone: 'neutral' }],
    [
      { action: 'conflict', path: '/w/Budget.xlsx', detail: "/w/Budget (ann's conflicted copy 2025-04-02).xlsx" },
      { verb: 'Conflict', sentence: 'Budget.xlsx was changed in two places; both versions were kept', note: "Kept both: Budget.xlsx and Budget (ann's conflicted copy 2025-04-02).xlsx", tone: 'warn' },
    ],
    [{ action: 'conflict', path: '/w/Budget.xlsx' }, { verb: 'Conflict', sentence: 'Budget.xlsx was changed in two places; both versions were kept', note: 'Kept both versions of Budget.xlsx', tone: 'warn' }],
    [{ action: 'move_remote', path: '/b/a.txt', detail: 'from /a.txt' }, { verb: 'Moved in Dropbox', sentence: 'Moved a.txt in Dropbox', note: 'From /a.txt', tone: 'ok' }],
    [{ action: 'move_local', path: '/a.txt' }, { verb: 'Moved here', sentence: 'Moved a.txt on this computer', note: undefined, tone: 'ok' }],
    [{ action: 'mkdir_local', path: '/New' }, { verb: 'New folder here', sentence: 'Created folder New on this computer', tone: 'ok' }],
    [{ action: 'mkdir_remote', path: '/New' }, { verb: 'New folder in Dropbox', sentence: 'Created folder New in Dropbox', tone: 'ok' }],
    [{ action: 'error', path: '/big.zip', detail: 'Dropbox is full' }, { verb: 'Failed', sentence: 'Could not sync big.zip', note: 'Dropbox is full', tone: 'error' }],
  ];
  for (const [item, expected] of rows) assert.deepEqual(describeActivity(item), expected, `${item.action} ${item.path}`);
});

test('directionLabel pairs the arrow with words', () => {
  assert.deepEqual(directionLabel('up'), { arrow: '↑', text: 'Uploading' });
  assert.deepEqual(directionLabel('down'), { arrow: '↓', text: 'Downloading' });
});
