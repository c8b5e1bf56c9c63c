// The web UI lost its event stream: say so while the browser reconnects (it refetches on success).
export function ConnectionBanner() {
  return (
    <div class="connection-banner" role="status">
      <span class="dot-pulse" aria-hidden="true" /> Connection to Twinfold lost, reconnecting…
    </div>
  );
}
