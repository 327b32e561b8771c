// cxrvqa review page: one study at a time, a verdict for each question-answer pair, each
// verdict sent to the server (and committed there) the moment it is given.
// Everything is built with textContent: report text never becomes markup.
'use strict';

(() => {
  const token = new URLSearchParams(window.location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  const state = { studies: 0, items: 0, reviewed: 0, position: 1, study: null, selected: 0 };
  let saving = Promise.resolve();

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { 'X-Review-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
    return data;
  }

  let statusTimer = 0;
  function showStatus(text, isError) {
    const box = $('status');
    box.textContent = text;
    box.className = `status show${isError ? ' error' : ''}`;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { box.className = 'status'; }, isError ? 6000 : 1500);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderReport(target, segments) {
    target.replaceChildren();
    for (const segment of segments || []) {
      if (!segment.kind) {
        target.append(document.createTextNode(segment.text));
        continue;
      }
      const span = el('span', `hl ${segment.kind}`, segment.text);
      span.title = segment.finding ? `${segment.finding}: ${segment.kind}` : `${segment.kind} cue`;
      target.append(span);
    }
  }

  function attributes(values) {
    return Object.entries(values || {})
      .filter(([, value]) => value !== null && value !== undefined && value !== '')
      .map(([key, value]) => `${key.replace('_', ' ')}: ${value}`)
      .join('; ');
  }

  function renderKeyInfo(target, record) {
    target.replaceChildren();
    if (!record) {
      target.append(el('p', '', 'No KeyInfo stored.'));
      return;
    }
    const list = el('dl');
    const row = (term, content) => {
      list.append(el('dt', '', term));
      const dd = el('dd');
      if (typeof content === 'string') dd.textContent = content; else dd.append(content);
      list.append(dd);
    };
    const meta = [record.view, record.split && `split ${record.split}`,
      record.study_order ? `study order ${record.study_order}` : ''].filter(Boolean).join(' · ');
    row('Image', meta || 'unknown');
    const entities = Object.entries(record.entity || {});
    if (entities.length === 0) {
      row('Present', 'none');
    } else {
      const ul = el('ul');
      for (const [name, values] of entities) {
        const li = el('li', '', name);
        const detail = attributes(values);
        if (detail) li.append(el('span', 'attrs', ` (${detail})`));
        ul.append(li);
      }
      row('Present', ul);
    }
    row('Uncertain', (record.uncertain_entity || []).join(', ') || 'none');
    row('Negated', (record.no_entity || []).join(', ') || 'none');
    const statements = record.opacity_vs_clear || {};
    if (statements.opacity) row('Opacity', attributes(statements.opacity) || 'yes');
    if (statements.clear) row('Clear', attributes(statements.clear) || 'yes');
    target.append(list);
  }

  function itemNodes() { return Array.from(document.querySelectorAll('#items .item')); }

  function select(index, focus) {
    const nodes = itemNodes();
    if (nodes.length === 0) return;
    state.selected = Math.max(0, Math.min(index, nodes.length - 1));
    nodes.forEach((node, i) => node.classList.toggle('selected', i === state.selected));
    const node = nodes[state.selected];
    if (focus !== false) node.focus({ preventScroll: true });
    node.scrollIntoView({ block: 'nearest' });
  }

  function updateProgress() {
    $('progress').max = Math.max(1, state.items);
    $('progress').value = state.reviewed;
    $('progress-text').textContent = `${state.reviewed} of ${state.items} pairs judged`;
    $('position').textContent = `Study ${state.position} of ${state.studies}`;
    $('prev').disabled = state.position <= 1;
    $('next').disabled = state.position >= state.studies;
    const items = state.study ? state.study.items : [];
    const judged = items.filter((item) => item.verdict).length;
    $('study-done').textContent = `${judged} of ${items.length} judged${judged === items.length && items.length ? ' ✓' : ''}`;
  }

  function showVerdict(node, item) {
    const verdict = item.verdict ? item.verdict.verdict : '';
    node.dataset.verdict = verdict;
    for (const button of node.querySelectorAll('.verdict')) {
      button.setAttribute('aria-pressed', String(button.dataset.verdict === verdict));
    }
    const saved = node.querySelector('.saved');
    saved.className = 'saved';
    saved.textContent = item.verdict ? `saved ${item.verdict.given_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';
  }

  // What was last sent for an item (set at once, so that a field saved right after a verdict
  // key knows the verdict before the server has answered).
  function sent(item) {
    if (!item.sent && item.verdict) {
      item.sent = { verdict: item.verdict.verdict, right_answer: item.verdict.right_answer, comment: item.verdict.comment };
    }
    return item.sent || null;
  }

  // Sends the item's verdict with its fields; verdicts go out one after another, in order.
  function save(node, item, verdict) {
    const body = {
      item_id: item.item_id,
      verdict,
      right_answer: node.querySelector('.right-answer').value.trim(),
      comment: node.querySelector('.comment').value.trim(),
    };
    item.sent = { verdict, right_answer: body.right_answer, comment: body.comment };
    node.dataset.verdict = verdict;
    const saved = node.querySelector('.saved');
    saved.className = 'saved';
    saved.textContent = 'saving…';
    saving = saving.then(async () => {
      try {
        const answer = await api('POST', 'api/verdict', body);
        state.reviewed = answer.reviewed;
        item.verdict = answer;
        if (item.sent.verdict === answer.verdict && item.sent.right_answer === answer.right_answer &&
            item.sent.comment === answer.comment) {
          showVerdict(node, item);
        }
        updateProgress();
      } catch (error) {
        saved.className = 'saved error';
        saved.textContent = `not saved: ${error.message}`;
        showStatus(`Not saved: ${error.message}`, true);
      }
    });
    for (const button of node.querySelectorAll('.verdict')) {
      button.setAttribute('aria-pressed', String(button.dataset.verdict === verdict));
    }
    return saving;
  }

  function fieldChanged(node, item) {
    const last = sent(item);
    const rightAnswer = node.querySelector('.right-answer').value.trim();
    const comment = node.querySelector('.comment').value.trim();
    if (!last && rightAnswer) return save(node, item, 'wrong');
    if (!last) {
      if (comment) showStatus('Give a verdict first (c, w or u)', true);
      return Promise.resolve();
    }
    const unchanged = rightAnswer === last.right_answer && comment === last.comment;
    return unchanged ? Promise.resolve() : save(node, item, last.verdict);
  }

  function renderItem(item, index) {
    const node = el('li', 'item');
    node.tabIndex = -1;
    node.dataset.itemId = String(item.item_id);
    const head = el('div');
    head.append(el('span', 'type', item.type), el('span', 'question', item.question));
    const answer = el('div', 'answer');
    answer.append(document.createTextNode('Answer: '), el('b', '', item.answer));
    const buttons = el('div', 'verdicts');
    for (const [verdict, label] of [['correct', '✓ Correct (c)'], ['wrong', '✗ Wrong (w)'], ['unsure', '? Unsure (u)']]) {
      const button = el('button', `verdict ${verdict}`, label);
      button.type = 'button';
      button.dataset.verdict = verdict;
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => {
        select(index, false);
        save(node, item, verdict);
      });
      buttons.append(button);
    }
    buttons.append(el('span', 'saved'));
    const fields = el('div', 'fields');
    for (const [name, label] of [['right-answer', 'Right answer (a)'], ['comment', 'Comment (m)']]) {
      const id = `${name}-${item.item_id}`;
      const labelNode = el('label', '', label);
      labelNode.htmlFor = id;
      const input = el('input', name);
      input.id = id;
      input.type = 'text';
      input.maxLength = 1000;  // characters; the server takes up to 4000 bytes
      input.autocomplete = 'off';
      const key = name === 'right-answer' ? 'right_answer' : 'comment';
      input.value = item.verdict ? item.verdict[key] : '';
      input.addEventListener('focus', () => select(index, false));
      input.addEventListener('change', () => fieldChanged(node, item));
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === 'Escape') {
          event.preventDefault();
          input.blur();
          node.focus({ preventScroll: true });
        }
      });
      fields.append(labelNode, input);
    }
    node.append(head, answer, buttons, fields);
    node.addEventListener('click', (event) => {
      if (event.target === node || event.target.closest('.type, .question, .answer')) select(index);
    });
    showVerdict(node, item);
    return node;
  }

  function render(study) {
    state.study = study;
    $('study-id').textContent = `study ${study.study_id}${study.subject_id ? `, patient ${study.subject_id}` : ''}`;
    renderReport($('report'), study.report);
    renderKeyInfo($('keyinfo'), study.keyinfo);
    const reference = study.reference;
    $('reference-panel').hidden = !reference;
    if (reference) {
      $('reference-id').textContent = reference.study_id;
      $('reference-panel').open = true;
      renderReport($('reference-report'), reference.report);
      renderKeyInfo($('reference-keyinfo'), reference.keyinfo);
    }
    $('items').replaceChildren(...study.items.map(renderItem));
    const firstOpen = study.items.findIndex((item) => !item.verdict);
    select(firstOpen >= 0 ? firstOpen : 0);
    updateProgress();
  }

  async function go(position) {
    if (position < 1 || position > state.studies) return;
    await saving;
    try {
      const study = await api('GET', `api/study/${position}`);
      state.position = position;
      render(study);
      document.body.dataset.position = String(position);
      await api('POST', 'api/position', { position });
    } catch (error) {
      showStatus(`Could not load study ${position}: ${error.message}`, true);
    }
  }

  async function nextUnjudged() {
    for (let position = state.position + 1; position <= state.studies; position += 1) {
      const study = await api('GET', `api/study/${position}`);
      if (study.items.some((item) => !item.verdict)) return go(position);
    }
    showStatus('Every later study is judged');
    return undefined;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLInputElement) return;
    if ($('help').open) return;
    const nodes = itemNodes();
    const node = nodes[state.selected];
    const item = node && state.study ? state.study.items[state.selected] : null;
    const verdictKeys = { c: 'correct', 1: 'correct', w: 'wrong', 2: 'wrong', u: 'unsure', 3: 'unsure' };
    const key = event.key;
    let handled = true;
    if (verdictKeys[key] && item) {
      save(node, item, verdictKeys[key]);
      if (verdictKeys[key] === 'wrong') node.querySelector('.right-answer').focus();
      else if (state.selected < nodes.length - 1) select(state.selected + 1);
    } else if ((key === 'a' || key === 'm') && node) {
      node.querySelector(key === 'a' ? '.right-answer' : '.comment').focus();
    } else if (key === 'j' || key === 'ArrowDown') {
      select(state.selected + 1);
    } else if (key === 'k' || key === 'ArrowUp') {
      select(state.selected - 1);
    } else if (key === 'n' || key === 'ArrowRight') {
      go(state.position + 1);
    } else if (key === 'p' || key === 'ArrowLeft') {
      go(state.position - 1);
    } else if (key === 'N') {
      nextUnjudged();
    } else if (key === '?') {
      $('help').showModal();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  async function start() {
    $('prev').addEventListener('click', () => go(state.position - 1));
    $('next').addEventListener('click', () => go(state.position + 1));
    $('next-open').addEventListener('click', () => nextUnjudged());
    $('help-button').addEventListener('click', () => $('help').showModal());
    document.addEventListener('keydown', onKey);
    try {
      const info = await api('GET', 'api/state');
      Object.assign(state, { studies: info.studies, items: info.items, reviewed: info.reviewed });
      $('reviewer').textContent = `reviewer: ${info.reviewer}`;
      await go(info.position);
      document.body.dataset.ready = 'true';
    } catch (error) {
      $('progress-text').textContent = `Cannot load the review: ${error.message}`;
    }
  }

  start();
})();
