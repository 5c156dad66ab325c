'use strict';
// The manufacturer's dashboard: reads the manufacturer API with the token kept in this tab's
// sessionStorage. Data is written with textContent only, never as HTML.
(() => {
  const TOKEN_KEY = 'packcheck.token';
  /** Detail requests per batch: enough for a dashboard, few enough not to flood the server. */
  const MAX_BATCHES = 50;
  const SVG = 'http://www.w3.org/2000/svg';
  const OUTCOMES = {
    genuine: 'Genuine', already_used: 'Already used', inactive: 'Inactive', recalled: 'Recalled',
    expired: 'Expired', fake: 'Fake', invalid: 'Invalid'
  };
  const CHANNELS = { http: 'Pharmacies (HTTP)', sms: 'Shoppers (SMS)' };
  const ALERT_KINDS = { cloned_code: 'Cloned code', recalled_check: 'Recalled batch checked', fake_burst: 'Fake burst' };
  const REJECTED = 'That token was not accepted. Check it and sign in again.';

  const $ = (id) => document.getElementById(id);
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const number = new Intl.NumberFormat();

  /** Answers of the current month only: a slower earlier load must not overwrite a newer one. */
  let generation = 0;
  let alerts = [];
  /** The month on show, to redraw its chart at a new width. */
  let shownReport = null;

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || code || `HTTP ${status}`);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path, method = 'GET') {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, Accept: 'application/json' },
        cache: 'no-store'
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'PackCheck could not be reached.');
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, body && body.error, body && body.message);
    }
    return body;
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  function element(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  // ---- signing in and out ----

  function signIn(event) {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      signInError('Enter your manufacturer token.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    load();
  }

  function signOut(message) {
    generation++;
    sessionStorage.removeItem(TOKEN_KEY);
    alerts = [];
    shownReport = null;
    [$('dashboard'), $('failure'), $('loading'), $('session-controls')].forEach((e) => show(e, false));
    show($('sign-in'), true);
    signInError(message);
    $('token').focus();
  }

  function signInError(message) {
    $('sign-in-error').textContent = message || '';
    show($('sign-in-error'), Boolean(message));
  }

  // ---- loading the month ----

  function currentMonth() {
    return new Date().toISOString().slice(0, 7);
  }

  /** The month's first and last day, as the customer summary's inclusive dates. */
  function monthDays(month) {
    const [year, m] = month.split('-').map(Number);
    const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
    return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
  }

  async function load() {
    const mine = ++generation;
    const month = $('month').value || currentMonth();
    const days = monthDays(month);
    show($('sign-in'), false);
    show($('failure'), false);
    show($('loading'), true);
    $('dashboard').setAttribute('aria-busy', 'true');
    try {
      const [report, customers, openAlerts, batches] = await Promise.all([
        api(`/v1/reports/monthly?month=${month}`),
        api(`/v1/customers/summary?from=${days.from}&to=${days.to}`),
        loadAlerts(),
        loadBatches()
      ]);
      if (mine !== generation) return;
      alerts = openAlerts;
      show($('session-controls'), true);
      show($('dashboard'), true);  // before drawing: the chart takes the width it is given
      render(report, customers, batches);
    } catch (e) {
      if (mine === generation) failed(e);
    } finally {
      if (mine === generation) {
        show($('loading'), false);
        $('dashboard').setAttribute('aria-busy', 'false');
      }
    }
  }

  /** Alerts still to deal with: open ones and acknowledged ones not yet closed, newest first. */
  async function loadAlerts() {
    const [open, acknowledged] = await Promise.all([
      api('/v1/alerts?state=open'), api('/v1/alerts?state=acknowledged')]);
    return open.concat(acknowledged).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async function loadBatches() {
    const [list, products] = await Promise.all([api('/v1/batches'), api('/v1/products')]);
    const names = new Map(products.map((p) => [p.id, p.name]));
    const shown = list.slice(0, MAX_BATCHES);
    const details = await Promise.all(shown.map((b) => api(`/v1/batches/${b.id}`)));
    return { total: list.length, batches: details.map((b) => ({ ...b, product: names.get(b.productId) })) };
  }

  function failed(error) {
    if (error.status === 401 || error.status === 403) {
      signOut(REJECTED);
      return;
    }
    show($('dashboard'), false);
    show($('session-controls'), true);
    $('failure-text').textContent = failureText(error);
    show($('failure'), true);
    $('retry').focus();
  }

  function failureText(error) {
    if (error.status === 0) return 'PackCheck could not be reached. Check the connection, then retry.';
    if (error.status === 503) return 'PackCheck is busy or briefly unavailable; nothing is lost. Retry in a moment.';
    return `Something went wrong (${error.status}): ${error.message}. Retry, or tell PackCheck support.`;
  }

  // ---- rendering ----

  function render(report, customers, batches) {
    shownReport = report;
    renderTotals(report, customers);
    renderChart(report);
    renderBreakdown(byTestId('by-outcome'), report.byOutcome, OUTCOMES, report.checks);
    renderBreakdown(byTestId('by-channel'), report.byChannel, CHANNELS, report.checks);
    renderCustomers(customers);
    renderAlerts();
    renderBatches(batches);
  }

  function monthName(month) {
    const [year, m] = month.split('-').map(Number);
    return new Date(Date.UTC(year, m - 1, 1)).toLocaleDateString(undefined,
      { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }

  /** Minor units as the currency writes them: 1750 GHS → "GHS 17.50". */
  function money(minor, currency) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch (e) {
      // an unknown currency code: cents it is
    }
    const value = (minor / 10 ** digits).toLocaleString(undefined,
      { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return `${currency} ${value}`;
  }

  function setFigure(testId, value, text) {
    const e = byTestId(testId);
    e.textContent = text;
    e.dataset.value = value === null ? '' : String(value);
  }

  function renderTotals(report, customers) {
    byTestId('month-title').textContent = monthName(report.month);
    setFigure('total-checks', report.checks, number.format(report.checks));
    setFigure('total-amount', report.amount, money(report.amount, report.currency));
    byTestId('price-per-check').textContent = `${money(report.pricePerCheck, report.currency)} per check`;
    setFigure('customers', customers.customers, number.format(customers.customers));
    byTestId('repeat-customers').textContent = `${number.format(customers.repeatCustomers)} checked more than once`;
    const retention = customers.retention;
    setFigure('retention', retention, retention === null ? '—' : `${Math.round(retention * 1000) / 10} %`);
    byTestId('retention-note').textContent = customers.previousCustomers === 0
      ? 'No customers in the month before to compare with'
      : `of the month before's ${number.format(customers.previousCustomers)} customers came back`;
  }

  /** One bar per day of the month, drawn from byDay; the y axis tops out at a round number. */
  function renderChart(report) {
    const chart = $('chart');
    chart.replaceChildren();
    show(byTestId('empty-checks'), report.checks === 0);
    show(chart, report.checks > 0);
    if (report.checks === 0) return;

    // drawn at the container's width, so labels keep their size from a phone to a wide screen
    const width = Math.max(chart.clientWidth, 280), height = 220, left = 36, bottom = 22, top = 10;
    const plotWidth = width - left - 4, plotHeight = height - top - bottom;
    const days = report.byDay;
    const max = roundUp(Math.max(...days.map((d) => d.checks)));
    const slot = plotWidth / days.length;
    const busiest = days.reduce((a, b) => (b.checks > a.checks ? b : a));

    const svg = svgElement('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'bars',
      'aria-label': `Checks per day in ${monthName(report.month)}: ${report.checks} in all, `
        + `most on ${busiest.date} (${busiest.checks})` });
    [0, max / 2, max].forEach((tick) => {
      const y = top + plotHeight - (tick / max) * plotHeight;
      svg.append(svgElement('line', { x1: left, x2: width, y1: y, y2: y, class: 'grid' }));
      svg.append(svgElement('text', { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' },
        number.format(tick)));
    });
    days.forEach((day, i) => {
      const barHeight = Math.max((day.checks / max) * plotHeight, 1);
      const x = left + i * slot + slot * 0.15;
      const bar = svgElement('rect', { x, y: top + plotHeight - barHeight, width: slot * 0.7, height: barHeight,
        class: day.checks ? 'bar' : 'bar zero', 'data-testid': 'day-bar', 'data-date': day.date,
        'data-checks': day.checks });
      bar.append(svgElement('title', {}, `${day.date}: ${number.format(day.checks)} checks, `
        + money(day.amount, report.currency)));
      svg.append(bar);
      const dayOfMonth = i + 1;
      if (dayOfMonth === 1 || dayOfMonth % 5 === 0) {
        svg.append(svgElement('text', { x: left + (i + 0.5) * slot, y: height - 6, class: 'axis',
          'text-anchor': 'middle' }, String(dayOfMonth)));
      }
    });
    chart.append(svg);
  }

  let redrawPending = false;

  function redrawChart() {
    if (!shownReport || redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(() => {
      redrawPending = false;
      if (shownReport) renderChart(shownReport);
    });
  }

  function svgElement(tag, attributes, text) {
    const e = document.createElementNS(SVG, tag);
    Object.entries(attributes).forEach(([name, value]) => e.setAttribute(name, value));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** 1, 2, 5 × 10ⁿ: gridlines at round numbers. */
  function roundUp(value) {
    if (value <= 1) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    const step = [1, 2, 5, 10].find((s) => s * power >= value);
    return step * power;
  }

  /** Rows of label, count and a bar of its share; zero rows are left out. */
  function renderBreakdown(table, counts, labels, total) {
    const rows = Object.entries(counts).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
    const body = table.tBodies[0];
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = element('tr');
      tr.append(element('td', 'Nothing yet this month.', 'empty'));
      body.append(tr);
      return;
    }
    rows.forEach(([key, count]) => {
      const tr = element('tr');
      tr.dataset.key = key;
      tr.append(element('th', labels[key] || key));
      const value = element('td', number.format(count), 'num');
      value.dataset.value = String(count);
      const share = element('td', null, 'share');
      const bar = element('span', null, 'share-bar');
      bar.style.width = `${total ? Math.round((count / total) * 100) : 0}%`;
      share.append(bar);
      tr.append(value, share);
      body.append(tr);
    });
  }

  function renderCustomers(customers) {
    const regions = customers.byRegion || {};
    show(byTestId('empty-regions'), Object.keys(regions).length === 0);
    show(byTestId('by-region'), Object.keys(regions).length > 0);
    renderBreakdown(byTestId('by-region'), regions, {}, customers.customers);
    renderBreakdown(byTestId('customers-by-channel'), customers.byChannel, CHANNELS, customers.customers);
  }

  // ---- alerts ----

  function renderAlerts() {
    const list = byTestId('alerts');
    list.replaceChildren(...alerts.map(alertItem));
    const open = alerts.filter((a) => a.state === 'open').length;
    byTestId('alert-count').textContent = alerts.length ? `(${open} open, ${alerts.length - open} acknowledged)` : '';
    show(byTestId('empty-alerts'), alerts.length === 0);
    renderAlertSummary();
  }

  /** Counts by kind, and by region where the alerts' details name one. */
  function renderAlertSummary() {
    const summary = byTestId('alert-summary');
    summary.replaceChildren();
    const tally = (key) => alerts.reduce((m, a) => {
      const value = key(a);
      if (value) m.set(value, (m.get(value) || 0) + 1);
      return m;
    }, new Map());
    [['By kind', tally((a) => ALERT_KINDS[a.kind] || a.kind), 'alerts-by-kind'],
      ['By region', tally((a) => a.details && a.details.region), 'alerts-by-region']]
      .filter(([, counts]) => counts.size > 0)
      .forEach(([title, counts, testId]) => {
        const group = element('p', `${title}: `);
        group.dataset.testid = testId;
        group.append(Array.from(counts, ([k, n]) => `${k} ${n}`).join(' · '));
        summary.append(group);
      });
  }

  function alertItem(alert) {
    const item = element('li', null, `alert alert-${alert.state}`);
    item.dataset.testid = 'alert';
    item.dataset.alertId = alert.id;
    item.dataset.state = alert.state;
    const heading = element('h3', ALERT_KINDS[alert.kind] || alert.kind);
    heading.append(' ', element('span', alert.state === 'open' ? 'Open' : 'Acknowledged', 'badge'));
    const when = element('p', `Raised ${new Date(alert.createdAt).toLocaleString()}`, 'hint');
    const actions = element('div', null, 'actions');
    if (alert.state === 'open') actions.append(alertButton(alert, 'acknowledge', 'Acknowledge'));
    actions.append(alertButton(alert, 'close', 'Close'));
    item.append(heading, element('p', alertDetails(alert), 'details'), when, actions);
    return item;
  }

  function alertDetails(alert) {
    const d = alert.details || {};
    const parts = [];
    if (d.lot) parts.push(`lot ${d.lot}`);
    if (d.customers) parts.push(`${d.customers} different customers checked one code`);
    if (d.channels) parts.push(`via ${d.channels.map((c) => CHANNELS[c] || c).join(' and ')}`);
    if (d.checks) parts.push(`${d.checks} checks on ${d.date}`);
    if (d.region) parts.push(`in ${d.region}`);
    if (d.fakesLastHour) parts.push(`${d.fakesLastHour} fakes in the last hour`);
    return parts.length ? parts.join(', ') : 'No further details.';
  }

  function alertButton(alert, action, label) {
    const button = element('button', label, action === 'close' ? 'secondary' : '');
    button.type = 'button';
    button.dataset.testid = action;
    button.setAttribute('aria-label', `${label} alert ${alert.id} (${ALERT_KINDS[alert.kind] || alert.kind})`);
    button.addEventListener('click', () => changeAlert(alert, action, button));
    return button;
  }

  async function changeAlert(alert, action, button) {
    button.disabled = true;
    show(byTestId('alert-error'), false);
    try {
      const changed = await api(`/v1/alerts/${alert.id}/${action}`, 'POST');
      alerts = alerts.map((a) => (a.id === changed.id ? changed : a)).filter((a) => a.state !== 'closed');
      renderAlerts();
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        signOut(REJECTED);
        return;
      }
      button.disabled = false;
      const error = byTestId('alert-error');
      // 409: someone else moved it on; the fresh list shows where it stands
      error.textContent = e.status === 409 ? 'This alert was changed meanwhile; the list is refreshed.'
        : `Could not ${action} the alert: ${failureText(e)}`;
      show(error, true);
      if (e.status === 409) {
        alerts = await loadAlerts().catch(() => alerts);
        renderAlerts();
      }
    }
  }

  // ---- batches ----

  function renderBatches({ total, batches }) {
    const body = byTestId('batches').tBodies[0];
    body.replaceChildren(...batches.map(batchRow));
    show(byTestId('empty-batches'), total === 0);
    show(byTestId('batches').closest('.table-scroll'), total > 0);
    const note = byTestId('batches-note');
    note.textContent = `Showing ${batches.length} of ${total} batches.`;
    show(note, total > batches.length);
  }

  function batchRow(batch) {
    const tr = element('tr');
    tr.dataset.testid = 'batch-row';
    tr.dataset.batchId = batch.id;
    const lot = element('th', batch.lot);
    lot.scope = 'row';
    tr.append(lot, element('td', batch.product || `#${batch.productId}`),
      element('td', batch.state, `state state-${batch.state}`), element('td', batch.expiry));
    ['codes', 'dispensed', 'consumed'].forEach((key) => {
      const cell = element('td', number.format(batch[key]), 'num');
      cell.dataset.testid = `batch-${key}`;
      cell.dataset.value = String(batch[key]);
      tr.append(cell);
    });
    return tr;
  }

  // ---- start ----

  function start() {
    $('month').value = currentMonth();
    $('month').max = currentMonth();
    $('sign-in-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut('You are signed out.'));
    $('retry').addEventListener('click', load);
    window.addEventListener('resize', redrawChart);
    $('month').addEventListener('change', () => {
      if ($('month').value) load();
    });
    if (sessionStorage.getItem(TOKEN_KEY)) {
      load();
    } else {
      signOut();
    }
  }

  start();
})();
