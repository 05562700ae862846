// The signed-in shopper's order and payment events as they happen: Server-Sent Events from
// `GET /api/notifications/stream`. EventSource cannot send an Authorization header, so each
// connection first gets a single-use ticket (`POST /api/notifications/stream/tickets`, bearer
// token). The stream ends (`event: end`) when the token that asked for the ticket stops being
// good; then the session is refreshed and a new ticket opens a new stream. A ticket is spent by
// its first use, so the browser's own reconnect (same URL) is never left to run.
import { api, refreshSession } from './api.js';
import { accessSecondsLeft } from './session.js';

const TYPES = [
  'bazaar.order.placed.v1',
  'bazaar.order.payment_requested.v1',
  'bazaar.order.confirmed.v1',
  'bazaar.order.cancelled.v1',
  'bazaar.order.shipped.v1',
  'bazaar.order.delivered.v1',
  'bazaar.payment.authorized.v1',
  'bazaar.payment.failed.v1',
  'bazaar.payment.refunded.v1',
];
const MAX_FAILURES = 5;

/**
 * Calls `onEvent(cloudEvent)` for each event, `onOpen()` on each (re)connection (events sent
 * while disconnected are not replayed: read the state again then), and `onState(text)` when the
 * connection changes. Answers a function that stops following.
 */
export function followLive({ onEvent, onOpen, onState }) {
  let source = null;
  let stopped = false;
  let timer = 0;
  let failures = 0;
  let openedAt = 0;
  const seen = new Set();

  const close = () => {
    source?.close();
    source = null;
  };

  function stop(text) {
    stopped = true;
    clearTimeout(timer);
    close();
    if (text) onState(text);
  }

  function retry() {
    if (stopped) return;
    failures += 1;
    if (failures > MAX_FAILURES) return stop('Live updates are off. Reload the page to see the latest status.');
    onState('Live updates interrupted; reconnecting…');
    timer = setTimeout(connect, 3000 * 2 ** (failures - 1));
  }

  async function connect() {
    if (stopped) return;
    try {
      // The stream lasts as long as the token that asked for its ticket: start from a fresh one.
      if (accessSecondsLeft() < 120) await refreshSession();
      const { ticket } = await api('/api/notifications/stream/tickets', { method: 'POST', auth: true });
      if (!stopped) open(ticket);
    } catch (error) {
      if (error.signedOut) stop('Live updates stopped: you are signed out.');
      else retry();
    }
  }

  function open(ticket) {
    source = new EventSource(`/api/notifications/stream?ticket=${encodeURIComponent(ticket)}`);
    source.addEventListener('open', () => {
      failures = 0;
      openedAt = Date.now();
      onState('Live updates are on.');
      onOpen();
    });
    for (const type of TYPES) {
      source.addEventListener(type, (message) => {
        if (seen.has(message.lastEventId)) return;
        seen.add(message.lastEventId);
        let event;
        try {
          event = JSON.parse(message.data);
        } catch {
          return; // a frame that is not a CloudEvent: nothing to show
        }
        onEvent(event);
      });
    }
    source.addEventListener('end', (message) => {
      close();
      // Streams are opened with at least two minutes of token left, so an end within a minute is
      // not an expiry (e.g. another tab opened one stream too many): reconnecting would only end
      // another stream. Otherwise reconnect: connect() refreshes the expired token first, and if
      // the token was revoked the refresh fails, the session is over and the page goes to sign-in.
      if (Date.now() - openedAt < 60_000) return stop(`Live updates stopped: ${message.data}`);
      onState('Renewing live updates…');
      connect();
    });
    source.addEventListener('error', () => {
      if (!source) return;
      close();
      retry();
    });
  }

  connect();
  return () => stop();
}
