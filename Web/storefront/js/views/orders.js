// `/orders` (history, paged) and `/orders/<id>` (one order, its live status, Cancel).
import { api, query } from '../api.js';
import { addressBlock, pagination, shortId, tableBox, totals, withQuery } from '../components.js';
import { fill, h, heading } from '../dom.js';
import { cardText, dateTime, money, statusText } from '../format.js';
import { followLive } from '../live.js';
import { notify, showError, whileBusy } from '../ui.js';

const CANCELLABLE = new Set(['pending', 'awaiting_payment', 'confirmed']);
const EVENT_STATUS = {
  'bazaar.order.placed.v1': 'pending',
  'bazaar.order.payment_requested.v1': 'awaiting_payment',
  'bazaar.order.confirmed.v1': 'confirmed',
  'bazaar.order.cancelled.v1': 'cancelled',
  'bazaar.order.shipped.v1': 'shipped',
  'bazaar.order.delivered.v1': 'delivered',
};

export async function ordersPage(ctx) {
  const page = Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1;
  const result = await api(`/api/orders${query({ page, limit: 10 })}`, { auth: true, signal: ctx.signal });
  ctx.render(
    heading('Your orders'),
    result.items.length === 0
      ? h('p', { 'data-test': 'no-orders' }, 'You have not ordered anything yet. ', h('a', { href: '/' }, 'Start shopping.'))
      : tableBox('Your orders', ['Order', 'Placed', 'Items', 'Total', 'Status'], result.items.map((order) => h('tr', { 'data-test': 'order-row' },
        h('td', {}, h('a', { href: `/orders/${encodeURIComponent(order.id)}` }, shortId(order.id))),
        h('td', {}, dateTime(order.placedAt)),
        h('td', {}, order.itemCount),
        h('td', {}, money(order.total)),
        h('td', { 'data-status': order.status }, statusText(order.status, order.cancellationReason))))),
    pagination(result, (number) => withQuery('/orders', ctx.query, { page: number > 1 ? number : null })));
}

function sleep(milliseconds, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('The page changed.', 'AbortError'));
    }, { once: true });
  });
}

/**
 * The order. Just after checkout the order service may not know it yet (it learns it from the
 * cart's event), so for a just-placed order a 404 is asked again for up to about a minute.
 */
async function fetchOrder(id, ctx, placed) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api(`/api/orders/${encodeURIComponent(id)}`, { auth: true, signal: ctx.signal });
    } catch (error) {
      if (error.status !== 404 || !placed || attempt > 20) throw error;
      await sleep(Math.min(500 * attempt, 3000), ctx.signal);
    }
  }
}

export async function orderPage(ctx) {
  const [id] = ctx.params;
  const placed = Boolean(ctx.state?.placed);
  if (placed) ctx.render(heading('Thank you for your order'), h('p', { role: 'status' }, 'Your order is being placed…'));
  let order;
  try {
    order = await fetchOrder(id, ctx, placed);
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.render(heading('Order not found'), h('p', {}, 'There is no such order in your account. ', h('a', { href: '/orders' }, 'See your orders.')));
    return null;
  }

  const status = h('p', { class: 'status', tabindex: '-1', 'data-test': 'order-status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const paymentNote = h('p', { class: 'warning', 'data-test': 'payment-note', hidden: true });
  const liveNote = h('p', { class: 'muted small', 'data-test': 'live-status' });
  const body = h('div', { class: 'order' });
  let refetchTimer = 0;

  const setStatus = (value, reason) => {
    const text = statusText(value, reason);
    if (status.dataset.status === value && status.dataset.text === text) return; // unchanged: nothing to announce
    status.dataset.status = value;
    status.dataset.text = text;
    status.replaceChildren('Status: ', h('strong', {}, text));
  };

  const refetch = () => {
    clearTimeout(refetchTimer);
    api(`/api/orders/${encodeURIComponent(id)}`, { auth: true, signal: ctx.signal }).then(show, showError);
  };

  const cancel = h('button', {
    type: 'button',
    'data-test': 'order-cancel',
    on: {
      click: () => whileBusy(cancel, async () => {
        try {
          show(await api(`/api/orders/${encodeURIComponent(id)}/cancel`, { method: 'POST', auth: true }));
        } catch (error) {
          refetch(); // e.g. 409: it has shipped meanwhile
          throw error;
        }
        notify('The order was cancelled.');
        status.focus();
      }),
    },
  }, 'Cancel this order');

  function show(next) {
    order = next;
    setStatus(order.status, order.cancellationReason);
    const waiting = order.status === 'pending' || order.status === 'awaiting_payment';
    fill(body,
      waiting && order.payBy && h('p', { class: 'muted' }, `Unless it is paid by ${dateTime(order.payBy)}, the order is cancelled.`),
      CANCELLABLE.has(order.status) && h('p', {}, cancel),
      h('h2', {}, 'Items'),
      h('ul', { class: 'summary-lines' }, order.lines.map((line) => h('li', { 'data-test': 'order-line' },
        h('span', {}, `${line.quantity} × `, h('a', { href: `/p/${encodeURIComponent(line.productId)}` }, line.name)),
        h('span', {}, money(line.lineTotal))))),
      totals(order),
      h('div', { class: 'facts' },
        h('section', {}, h('h2', {}, 'Delivery address'), addressBlock(order.shippingAddress)),
        h('section', {}, h('h2', {}, 'Payment'),
          h('p', {}, cardText(order.paymentMethod)),
          order.payment?.captured.minorUnits > 0 && h('p', {}, `Paid ${money(order.payment.captured)}`,
            order.payment.refunded.minorUnits > 0 && `, refunded ${money(order.payment.refunded)}`, '.')),
        order.shipment && h('section', {}, h('h2', {}, 'Shipment'),
          h('p', { 'data-test': 'order-shipment' }, `${order.shipment.carrier}, tracking number ${order.shipment.trackingNumber}`))),
      h('h2', {}, 'History'),
      h('ol', { class: 'history', 'data-test': 'order-history' }, order.history.map((entry) => h('li', {},
        h('time', { datetime: entry.at }, dateTime(entry.at)), ' ', statusText(entry.status, entry.reason),
        entry.detail && ` (${entry.detail})`))));
  }

  ctx.render(
    heading(`Order ${shortId(order.id)}`),
    h('p', { class: 'muted small' }, `Placed ${dateTime(order.placedAt)} · order number `, h('span', { 'data-test': 'order-id' }, order.id)),
    status, paymentNote, liveNote, body);
  show(order);

  const stop = followLive({
    onOpen: refetch, // events sent before the stream opened are not replayed
    onState: (text) => {
      liveNote.textContent = text;
    },
    onEvent: (event) => {
      if (event.data?.orderId !== order.id) return;
      if (EVENT_STATUS[event.type]) setStatus(EVENT_STATUS[event.type], event.data.reason);
      if (event.type === 'bazaar.payment.failed.v1') {
        paymentNote.textContent = `The payment failed: ${event.data.message}`;
        paymentNote.hidden = false;
      }
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(refetch, 300);
    },
  });
  return () => {
    stop();
    clearTimeout(refetchTimer);
  };
}
