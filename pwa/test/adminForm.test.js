// The administration forms' shared logic (src/screens/admin/form.js): typing, the busy-guarded
// save, and a refusal shown at the fields and under the form. The state is held here as
// Preact holds it: a setter takes a value or an updater of the latest value, and what a
// handler reads (`form`, `errors`, `busy`) is the snapshot of the render that made it.
import { describe, it, expect } from 'vitest';
import {
  checkMessages, formActions, nothingToSave, saveTarget, splitRefusal, withoutErrors,
} from '../src/screens/admin/form.js';
import { S } from '../src/strings.js';

function heldForm(form, options = {}) {
  const state = { form, errors: {}, message: '', busy: false };
  const set = (k) => (v) => { state[k] = typeof v === 'function' ? v(state[k]) : v; };
  const setters = { setForm: set('form'), setErrors: set('errors'), setMessage: set('message'), setBusy: set('busy') };
  // One render: the handlers of this moment's snapshot.
  const render = () => formActions({ ...state, ...setters }, options);
  return { state, render };
}

const typed = (value) => ({ currentTarget: { value } });

// A save that answers when told to, so what the form shows meanwhile can be read.
function pendingSave(answer) {
  const calls = [];
  let release;
  const save = (method, path, body) => {
    calls.push([method, path, body]);
    return new Promise((resolve) => { release = () => resolve(answer); });
  };
  return { save, calls, answer: () => release() };
}

const refusal = (fields, { status = 422, message = 'Invalid input.' } = {}) => ({ ok: false, status, message, fields });

describe('typing into an admin form', () => {
  it('keeps both of two inputs made before one render', () => {
    const { state, render } = heldForm({ name: '', sku: '' }, { idPrefix: 'product' });
    const { bind } = render(); // both handlers from the same (stale) render
    bind('name').onInput(typed('Boiler'));
    bind('sku').onInput(typed('B-200'));
    expect(state.form).toEqual({ name: 'Boiler', sku: 'B-200' });
    // Two keystrokes into one field before a render: the last one is what stands.
    bind('name').onInput(typed('Boiler M'));
    bind('name').onInput(typed('Boiler M2'));
    expect(state.form.name).toBe('Boiler M2');
  });

  it('gives a Field its value, message and id prefix, and typing takes away only that message', () => {
    const { state, render } = heldForm({ name: 'Boiler', sku: 'B-1' }, { idPrefix: 'product' });
    state.errors = { name: ['Required.'], sku: ['Taken.'] };
    const props = render().bind('sku');
    expect(props).toMatchObject({ value: 'B-1', error: ['Taken.'], idPrefix: 'product' });
    props.onInput(typed('B-2'));
    expect(state.errors).toEqual({ name: ['Required.'], sku: undefined });
    expect(state.message).toBe('');
  });

  it('leaves the messages alone (the same object) when the field had none', () => {
    const { state, render } = heldForm({ name: '', sku: '' });
    const errors = { name: ['Required.'] };
    state.errors = errors;
    render().bind('sku').onInput(typed('X'));
    expect(state.errors).toBe(errors);
  });

  it("shows a part's message where its field shows it, and may take the form's message away too", () => {
    const { state, render } = heldForm(
      { targetHours: '1', targetMinutes: '0' },
      { errorKey: (k) => ({ targetHours: 'target_minutes' }[k] || k), editClearsMessage: true },
    );
    state.errors = { target_minutes: ['Too long.'] };
    state.message = 'Not saved: see the marked fields.';
    render().set('targetHours', '2');
    expect(state.form.targetHours).toBe('2');
    expect(state.errors.target_minutes).toBeUndefined();
    expect(state.message).toBe('');
  });

  it('changes several fields at once, from the latest form, clearing the places named', () => {
    const { state, render } = heldForm({ weekly: { mon: [], tue: [] }, kind: 'sales' });
    state.errors = { 'weekly.mon': ['Overlaps.'], weekly: ['Bad.'], kind: ['Taken.'] };
    const { change } = render();
    change((f) => ({ weekly: { ...f.weekly, mon: ['9-17'] } }), 'weekly.mon', 'weekly');
    change((f) => ({ weekly: { ...f.weekly, tue: ['9-12'] } }), 'weekly.tue', 'weekly');
    expect(state.form.weekly).toEqual({ mon: ['9-17'], tue: ['9-12'] });
    expect(state.errors).toEqual({ 'weekly.mon': undefined, weekly: undefined, kind: ['Taken.'] });
  });

  it('a select chosen keeps its message until the next save', () => {
    const { state, render } = heldForm({ to: '' });
    state.errors = { to: ['Choose a person or a team.'] };
    render().pick('to').onChange(typed('team:t1'));
    expect(state.form.to).toBe('team:t1');
    expect(state.errors.to).toEqual(['Choose a person or a team.']);
  });
});

describe('saving an admin form', () => {
  it('is busy while the save is on its way and answers with what the server said', async () => {
    const answer = { ok: true, data: { id: 'p1', name: 'Boiler' } };
    const server = pendingSave(answer);
    const { state, render } = heldForm({ name: 'Boiler' }, { save: server.save });
    const sent = render().send(...saveTarget('/products', null), { name: 'Boiler' });
    expect(state.busy).toBe(true);
    server.answer();
    expect(await sent).toBe(answer);
    expect(state.busy).toBe(false);
    expect(server.calls).toEqual([['POST', '/products', { name: 'Boiler' }]]);
  });

  it("shows a refusal at the form's fields and the rest under the form", async () => {
    const server = pendingSave(refusal({ name: ['Too long.'], currency: ['Not a currency.'], org: ['Closed.'] }));
    const { state, render } = heldForm({ name: 'x'.repeat(201) }, { save: server.save, known: ['name', 'currency'] });
    const sent = render().send('PATCH', '/products/p1', {});
    server.answer();
    expect(await sent).toBeNull();
    expect(state.errors).toEqual({ name: ['Too long.'], currency: ['Not a currency.'] });
    expect(state.message).toBe('org: Closed.');
    expect(state.busy).toBe(false);
  });

  it('says "Not saved" when every message has its field, and the server\'s words when it named none', async () => {
    let server = pendingSave(refusal({ name: ['Required.'] }));
    let held = heldForm({ name: '' }, { save: server.save, known: ['name'] });
    let sent = held.render().send('POST', '/teams', {});
    server.answer();
    await sent;
    expect(held.state.message).toBe('Not saved: see the marked fields.');

    server = pendingSave(refusal({}, { status: 403, message: 'Only admins may do this.' }));
    held = heldForm({ name: '' }, { save: server.save, known: ['name'] });
    held.state.errors = { name: ['Required.'] };
    sent = held.render().send('POST', '/teams', {});
    server.answer();
    await sent;
    expect(held.state.errors).toEqual({});
    expect(held.state.message).toBe('Only admins may do this.');
  });

  it("places the server's fields as the form says (a taken SKU in full), then moves focus", async () => {
    const server = pendingSave(refusal({ sku: ['taken'] }, { status: 409, message: 'Conflict.' }));
    let refused = 0;
    const { state, render } = heldForm({ sku: 'B-1' }, {
      save: server.save,
      known: ['sku'],
      fieldsOf: (res) => (res.status === 409 ? { ...res.fields, sku: [S.admSkuTaken] } : res.fields),
      onRefused: () => { refused += 1; },
    });
    const sent = render().send('PATCH', '/products/p1', { sku: 'B-1' });
    server.answer();
    await sent;
    expect(state.errors).toEqual({ sku: [S.admSkuTaken] });
    expect(refused).toBe(1);
  });

  it("a plain call is busy meanwhile but leaves the form's messages to the caller", async () => {
    const server = pendingSave(refusal({ id: ['Gone.'] }, { status: 404, message: 'Not found.' }));
    const { state, render } = heldForm({}, { save: server.save });
    state.errors = { name: ['Required.'] };
    const called = render().call('DELETE', '/assignment-rules/r1');
    expect(state.busy).toBe(true);
    server.answer();
    expect((await called).message).toBe('Not found.');
    expect(state).toMatchObject({ busy: false, errors: { name: ['Required.'] }, message: '' });
  });

  it("shows the form's own checks at their fields with the form's words for it", () => {
    let refused = 0;
    const { state, render } = heldForm({}, { notSaved: S.slaAdmNotSaved, onRefused: () => { refused += 1; } });
    render().refuseChecks({ target_minutes: 'min', name: 'required' }, (code) => `check ${code}`);
    expect(state.errors).toEqual({ target_minutes: ['check min'], name: ['check required'] });
    expect(state.message).toBe(S.slaAdmNotSaved);
    expect(refused).toBe(1);
  });
});

describe('submitting an admin form', () => {
  // Submit once: whether the browser's own submit was stopped and whether the handler ran.
  function submitOnce(state, render, options) {
    let prevented = false;
    let ran = false;
    render().onSubmit(() => { ran = true; }, options)({ preventDefault: () => { prevented = true; } });
    return { prevented, ran, message: state.message };
  }

  it("stops the browser's submit, takes the last message away and runs the handler", () => {
    const { state, render } = heldForm({});
    state.message = 'org: Closed.';
    expect(submitOnce(state, render)).toEqual({ prevented: true, ran: true, message: '' });
  });

  it('does nothing while a save is on its way (a second tap on Save)', () => {
    const { state, render } = heldForm({});
    state.busy = true;
    state.message = 'Saving…';
    expect(submitOnce(state, render)).toEqual({ prevented: true, ran: false, message: 'Saving…' });
  });

  it('may keep the message', () => {
    const { state, render } = heldForm({});
    state.message = 'org: Closed.';
    expect(submitOnce(state, render, { keepMessage: true })).toEqual({ prevented: true, ran: true, message: 'org: Closed.' });
  });
});

describe('the pieces', () => {
  it('saves an edit with PATCH to the record and a new one with POST to the collection', () => {
    expect(saveTarget('/spend', { id: 's1' })).toEqual(['PATCH', '/spend/s1']);
    expect(saveTarget('/spend', null)).toEqual(['POST', '/spend']);
  });

  it('has nothing to save for an unchanged edit, and always something for a new record', () => {
    expect(nothingToSave({ id: 'p1' }, {})).toBe(true);
    expect(nothingToSave({ id: 'p1' }, { name: 'B' })).toBe(false);
    expect(nothingToSave(null, {})).toBe(false);
  });

  it('splits by a test of the name too (a calendar\'s weekday places)', () => {
    const inForm = (f) => f === 'name' || f.startsWith('weekly.');
    const res = refusal({ 'weekly.mon': ['Overlaps.', 'Too short.'], definition: 'Bad.' });
    expect(splitRefusal(res, inForm, res.fields, S.slaAdmNotSaved)).toEqual({
      inPlace: { 'weekly.mon': ['Overlaps.', 'Too short.'] },
      message: 'definition: Bad.',
    });
    expect(splitRefusal(refusal({ 'weekly.tue': ['Overlaps.'] }), inForm).message).toBe(S.admNotSaved);
  });

  it('turns found problems into messages and drops several at once', () => {
    expect(checkMessages({ amount: { code: 'min' } }, (err) => `>= ${err.code}`)).toEqual({ amount: ['>= min'] });
    expect(withoutErrors(['a', 'b'])({ a: ['x'], c: ['y'] })).toEqual({ a: undefined, b: undefined, c: ['y'] });
  });
});
