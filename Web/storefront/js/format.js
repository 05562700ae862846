// Money ({minorUnits, currency}: integers, never floats in the API), dates, and the words shown
// for statuses, cancellation reasons and payment test tokens.

const LOCALE = 'en-GB';
/** The shop's currency (the cart and order services price in EUR); used for price filters. */
export const SHOP_CURRENCY = 'EUR';

const moneyFormats = new Map();
function moneyFormat(currency) {
  if (!moneyFormats.has(currency)) {
    moneyFormats.set(currency, new Intl.NumberFormat(LOCALE, { style: 'currency', currency }));
  }
  return moneyFormats.get(currency);
}

const fractionDigits = (currency) => moneyFormat(currency).resolvedOptions().maximumFractionDigits;

/** `{minorUnits: 4990, currency: 'EUR'}` → "€49.90" (¥1,200 for JPY: no minor unit). */
export function money(amount) {
  if (!amount) return '';
  return moneyFormat(amount.currency).format(amount.minorUnits / 10 ** fractionDigits(amount.currency));
}

/** "12.5" or "12,50" → 1250 minor units; null when it is not an amount. */
export function toMinorUnits(text, currency = SHOP_CURRENCY) {
  const digits = fractionDigits(currency);
  const match = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!match || (match[2] ?? '').length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

/** 1250 minor units → "12.50" (for an input's value). */
export function toDecimal(minorUnits, currency = SHOP_CURRENCY) {
  const digits = fractionDigits(currency);
  if (!digits) return String(minorUnits);
  const text = String(minorUnits).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
export const dateTime = (iso) => (iso ? dateFormat.format(new Date(iso)) : '');

const STATUSES = {
  pending: 'Placed, waiting for stock',
  awaiting_payment: 'Waiting for the payment',
  confirmed: 'Confirmed',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

const REASONS = {
  out_of_stock: 'Cancelled because an item was out of stock',
  payment_failed: 'Cancelled because the payment was declined',
  timeout: 'Cancelled because the payment did not arrive in time',
  customer_request: "Cancelled at the customer's request",
  admin: 'Cancelled by the shop',
  invalid_checkout: 'Cancelled because the checkout did not add up',
  refunded: 'Payment refunded',
  late_payment_refund_requested: 'A payment that came too late is being refunded',
};

/** An order status in words; a cancelled order's with its reason. */
export function statusText(status, reason) {
  if (reason && REASONS[reason]) return REASONS[reason];
  return STATUSES[status] ?? String(status ?? '').replaceAll('_', ' ');
}

/** The payment service's simulated test tokens, in plain words (Services/Payment/README.md). */
export const TEST_CARDS = [
  { token: 'tok_visa', card: 'Visa ending 4242', outcome: 'approved' },
  { token: 'tok_mastercard', card: 'Mastercard ending 4444', outcome: 'approved' },
  { token: 'tok_slow', card: 'Visa ending 3220', outcome: 'approved after a few seconds' },
  { token: 'tok_chargeDeclined', card: 'Visa ending 0002', outcome: 'declined by the bank' },
  { token: 'tok_insufficientFunds', card: 'Visa ending 9995', outcome: 'declined: not enough money' },
  { token: 'tok_error', card: 'Visa ending 0119', outcome: 'the bank does not answer, so the payment fails' },
];

export const cardText = (token) => TEST_CARDS.find((card) => card.token === token)?.card ?? token;
