// The web UI was opened without (or lost) its login to `twinfold serve`.
export function UnauthorizedPage() {
  return (
    <main class="page-message">
      <h1>Open the link printed by twinfold serve</h1>
      <p>
        This page is not signed in to Twinfold. When <code>twinfold serve</code> starts, it prints a link with a one-time key in the terminal. Open that link in this browser to
        see and control Twinfold.
      </p>
      <p>If you restarted Twinfold, the old link no longer works: use the new one.</p>
    </main>
  );
}
