// Messages: the alert region (errors, role="alert"), the notice region (role="status"), field
// errors next to their fields, and forms that cannot be sent twice at once.
import { ApiError } from './api.js';
import { describedBy, h } from './dom.js';

const alertBox = () => document.getElementById('alert');
const noticeBox = () => document.getElementById('notice');
let pendingFlash = '';

function clearAlert() {
  const box = alertBox();
  box.replaceChildren();
  box.hidden = true;
}

/** Shows a status message now (and until the next page). */
export function notify(text) {
  noticeBox().textContent = text;
}

/** Shows a status message on the next page (e.g. "Signed out" before going home). */
export function flash(text) {
  pendingFlash = text;
}

/** Called by the router before each page: clears the alert, shows a flashed notice. */
export function resetMessages() {
  clearAlert();
  noticeBox().textContent = pendingFlash;
  pendingFlash = '';
}

const waitText = (seconds) => (seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`);

/**
 * Shows an error: the problem's `detail` (else `title`) in the alert region, how long to wait on a
 * 429, the request id of a 5xx; with `form`, each field error next to its field (the rest listed).
 */
export function showError(error, form) {
  if (error?.name === 'AbortError' || error?.signedOut) return;
  const box = alertBox();
  let text = error instanceof ApiError ? error.message : 'Something went wrong on this page. Reload it and try again.';
  if (error?.status === 429 && error.retryAfter) text += ` Try again in ${waitText(error.retryAfter)}.`;
  if (error?.status >= 500 && error.problem?.requestId) text += ` (Request id ${error.problem.requestId}.)`;
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : [];
  const unplaced = form ? showFieldErrors(form, fieldErrors) : fieldErrors;
  box.replaceChildren(h('p', {}, text));
  if (unplaced.length) box.append(h('ul', {}, unplaced.map((e) => h('li', {}, `${e.field}: ${e.message}`))));
  box.hidden = false;
  const invalid = form?.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
  else box.scrollIntoView({ block: 'nearest' });
}

/** The control a field error names: `newPassword`, or `line1` for `shippingAddress.line1`, `price` for `price.minorUnits`. */
function controlFor(form, name) {
  const parts = String(name).split('.');
  for (const candidate of [name, parts[0], parts.at(-1)]) {
    const control = form.elements.namedItem(candidate);
    if (control instanceof Element && control.id) return control; // not a radio group
  }
  return null;
}

/** Puts each `{field, message}` next to its control; answers those with no control in `form`. */
function showFieldErrors(form, errors) {
  clearFieldErrors(form);
  const unplaced = [];
  for (const error of errors) {
    const control = controlFor(form, error.field);
    const slot = control && document.getElementById(`${control.id}-error`);
    if (!slot) {
      unplaced.push(error);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message;
    slot.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    describedBy(control, slot.id, true);
  }
  return unplaced;
}

function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    describedBy(control, `${control.id}-error`, false);
  }
}

/**
 * Handles a form's submit with `handler(values, form)`: no second submit while one is under way
 * (its submit button disabled), the alert and field errors cleared first, an error shown after.
 */
export function onSubmit(form, handler) {
  form.noValidate = true; // the API is the one judge of what is valid; its field errors are shown
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.busy) return;
    const submit = event.submitter ?? form.querySelector('[type="submit"]');
    form.dataset.busy = 'true';
    if (submit) submit.disabled = true;
    clearAlert();
    clearFieldErrors(form);
    try {
      await handler(Object.fromEntries(new FormData(form)), form);
    } catch (error) {
      showError(error, form);
    } finally {
      delete form.dataset.busy;
      if (submit) submit.disabled = false;
    }
  });
  return form;
}

/** Runs `task` with `control` disabled (a button outside a form); shows an error if it fails. */
export async function whileBusy(control, task) {
  if (control.disabled) return;
  control.disabled = true;
  clearAlert();
  try {
    await task();
  } catch (error) {
    showError(error);
  } finally {
    control.disabled = false;
  }
}
