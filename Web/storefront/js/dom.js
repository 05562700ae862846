// Building elements safely: text always goes in as text nodes or textContent, never as HTML.

/**
 * `h('a', {href: '/cart', class: 'x', 'data-test': 'y', on: {click: fn}}, 'text', child, [more])`.
 * `class` sets className, `text` textContent, `on` adds listeners; `true` gives an empty
 * attribute; `false`, null and undefined leave the attribute out.
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'on') for (const [type, listener] of Object.entries(value)) element.addEventListener(type, listener);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  return add(element, children);
}

/** Appends children (nodes, strings, numbers, nested arrays); skips null, undefined, false and ''. */
function add(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false || child === '') continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces an element's children, with the same rules as `h`'s children. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  return add(parent, children);
}

let ids = 0;
const uid = (prefix = 'f') => `${prefix}${++ids}`;

/** Adds or removes one id in an element's aria-describedby. */
export function describedBy(element, id, on) {
  const tokens = new Set((element.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
  if (on) tokens.add(id);
  else tokens.delete(id);
  if (tokens.size) element.setAttribute('aria-describedby', [...tokens].join(' '));
  else element.removeAttribute('aria-describedby');
}

/**
 * A labelled control with an optional hint and a slot for its field error (`<id>-error`, shown by
 * ui.js and joined to the control's aria-describedby when it has text).
 */
export function field(label, control, hint) {
  control.id ||= uid();
  const wrapper = h('div', { class: 'field' }, h('label', { for: control.id }, label));
  if (hint) {
    wrapper.append(h('p', { class: 'hint', id: `${control.id}-hint` }, hint));
    describedBy(control, `${control.id}-hint`, true);
  }
  wrapper.append(control, h('p', { class: 'field-error', id: `${control.id}-error`, 'data-test': 'field-error', hidden: true }));
  return wrapper;
}

/** A text-like input field; `name` is the API's field name, so field errors find it. */
export function textField(label, name, props = {}, hint) {
  return field(label, h('input', { type: 'text', name, ...props }), hint);
}

/** A checkbox with its label after it. */
export function checkField(label, name, checked, props = {}) {
  const box = h('input', { type: 'checkbox', name, id: uid(), checked, ...props });
  return h('div', { class: 'field check' }, box, h('label', { for: box.id }, label),
    h('p', { class: 'field-error', id: `${box.id}-error`, 'data-test': 'field-error', hidden: true }));
}

/** A `<select>` field from `[value, text]` pairs. */
export function selectField(label, name, options, selected, props = {}) {
  const select = h('select', { name, ...props },
    options.map(([value, text]) => h('option', { value, selected: String(value) === String(selected ?? '') }, text)));
  return field(label, select);
}

export const button = (text, props = {}) => h('button', { type: 'button', ...props }, text);

/** A heading that receives focus after navigation (the router focuses the page's h1). */
export const heading = (text, props = {}) => h('h1', { tabindex: '-1', ...props }, text);

/** Text only screen readers read. */
export const hidden = (text) => h('span', { class: 'visually-hidden' }, text);
