// How the web UI reads the answer of `POST /api/call/<name>`: 200 with `{ result }` is success;
// anything else carries `{ code, message }` for people. Kept apart from fetch so it is tested in Node.

export type CallOutcome = { ok: true; result: unknown } | { ok: false; status: number; unauthorized: boolean; message: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function readCallResponse(status: number, bodyText: string): CallOutcome {
  const body = parseJson(bodyText);
  if (status === 200) {
    if (typeof body === 'object' && body !== null && 'result' in body) return { ok: true, result: (body as { result: unknown }).result };
    // A void request may answer `{}`: there is simply no result.
    if (typeof body === 'object' && body !== null) return { ok: true, result: undefined };
    return { ok: false, status, unauthorized: false, message: 'Twinfold sent an answer this page cannot read. Reload the page.' };
  }
  const unauthorized = status === 401;
  const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
  if (message) return { ok: false, status, unauthorized, message };
  if (unauthorized) return { ok: false, status, unauthorized, message: 'This page is not signed in to Twinfold. Open the link printed by twinfold serve.' };
  return { ok: false, status, unauthorized, message: `Twinfold could not do that (the server answered ${status}).` };
}
