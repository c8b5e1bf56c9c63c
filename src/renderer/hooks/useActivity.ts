// Recent activity and per-path errors: fetched on start, on every `activity` event and after a
// reconnect. Overlapping fetches are fine: only the newest answer is kept.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ActivityItem, PathErrorView } from '../../common/contract.js';
import { useApi } from './hostContext.js';
import { errorMessage } from './useAppState.js';

export interface ActivityResult {
  activity: ActivityItem[];
  errors: PathErrorView[];
  loaded: boolean;
  loadError: string | undefined;
}

export function useActivity(limit: number, generation: number): ActivityResult {
  const api = useApi();
  const [data, setData] = useState<ActivityResult>({ activity: [], errors: [], loaded: false, loadError: undefined });
  const latest = useRef(0);

  const reload = useCallback(() => {
    const ticket = ++latest.current;
    api.call('getActivity', { limit }).then(
      (result) => ticket === latest.current && setData({ ...result, loaded: true, loadError: undefined }),
      (err: unknown) => ticket === latest.current && setData((prev) => ({ ...prev, loaded: true, loadError: errorMessage(err) })),
    );
  }, [api, limit]);

  useEffect(() => api.on('activity', reload), [api, reload]);
  useEffect(reload, [reload, generation]);

  return data;
}
