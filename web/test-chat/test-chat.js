// The customer's side of a chat, for trying the agent workspace by hand: the node starts a
// chat (StartChatContact) and the page talks to it through the unmodified amazon-connect-chatjs,
// as a customer's web site would.
(() => {
  const EVENT = 'application/vnd.amazonaws.connect.event.';
  const TYPING = `${EVENT}typing`;
  const JOINED = `${EVENT}participant.joined`;
  const LEFT = `${EVENT}participant.left`;
  const ENDED = `${EVENT}chat.ended`;
  const REGION = 'us-east-1';
  /** How long "Agent is typing…" stays without another typing event, and how often we send ours. */
  const TYPING_MS = 10_000;

  const $ = (id) => document.getElementById(id);
  const statusEl = $('status');
  const startForm = $('start-form');
  const nameEl = $('name');
  const startBtn = $('start');
  const endBtn = $('end');
  const errorEl = $('error');
  const transcriptEl = $('transcript');
  const typingEl = $('typing');
  const composeForm = $('compose-form');
  const composeEl = $('compose');
  const sendBtn = $('send');

  let session = null;
  let me = null;
  let typingTimer = 0;
  let typingFrom = null;
  let lastTypingSent = 0;
  /** Messages from others not yet acknowledged as read (the page was hidden when they came). */
  const unread = new Set();

  function setStatus(status) {
    statusEl.textContent = status;
    statusEl.dataset.status = status;
    const live = status === 'connected';
    composeEl.disabled = !live;
    sendBtn.disabled = !live || !composeEl.value.trim();
    endBtn.disabled = !(live || status === 'connecting');
    startBtn.disabled = live || status === 'connecting';
  }

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = !message;
  }

  const errorText = (err) =>
    err && typeof err === 'object' && 'message' in err ? String(err.message) : String(err);

  function clearTyping() {
    clearTimeout(typingTimer);
    typingFrom = null;
    typingEl.textContent = '';
  }

  /** Puts a row in time order: after every row not later than it (ties keep arrival order). */
  function place(li, item) {
    li.dataset.id = item.Id;
    li.dataset.time = String(Date.parse(item.AbsoluteTime) || 0);
    const t = Number(li.dataset.time);
    let after = transcriptEl.lastElementChild;
    while (after && Number(after.dataset.time) > t) after = after.previousElementSibling;
    transcriptEl.insertBefore(li, after ? after.nextElementSibling : transcriptEl.firstElementChild);
    transcriptEl.scrollTop = transcriptEl.scrollHeight;
  }

  const rowOf = (id) => transcriptEl.querySelector(`li[data-id="${CSS.escape(id)}"]`);

  function render(item) {
    if (!item || !item.Id || rowOf(item.Id)) return;
    if (item.Type === 'MESSAGE') {
      const mine = item.ParticipantId === me;
      const li = document.createElement('li');
      li.className = `msg ${item.ParticipantRole || ''}${mine ? ' mine' : ''}`;
      li.dataset.testid = 'customer-message';
      li.dataset.role = item.ParticipantRole || '';
      const meta = document.createElement('div');
      meta.className = 'meta';
      // Amazon Connect names the flow's messages SYSTEM_MESSAGE.
      const name = mine
        ? 'You'
        : item.DisplayName && item.DisplayName !== 'SYSTEM_MESSAGE'
          ? item.DisplayName
          : item.ParticipantRole === 'SYSTEM'
            ? 'System'
            : item.ParticipantRole;
      meta.textContent = `${name} · ${new Date(item.AbsoluteTime).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      })}`;
      const text = document.createElement('div');
      text.className = 'message-text';
      text.dataset.testid = 'message-text';
      text.textContent = item.Content || '';
      li.append(meta, text);
      place(li, item);
      if (!mine) acknowledge(item);
      return;
    }
    const notice =
      item.ContentType === JOINED
        ? `${item.DisplayName || 'Agent'} has joined`
        : item.ContentType === LEFT
          ? `${item.DisplayName || 'Agent'} has left`
          : item.ContentType === ENDED
            ? 'Chat ended'
            : null;
    if (!notice) return;
    const li = document.createElement('li');
    li.className = 'event';
    li.dataset.testid = 'customer-event';
    li.textContent = notice;
    place(li, item);
  }

  /** Shows "Delivered"/"Read" under one of my messages (a read one stays read). */
  function markReceipt(messageId, label) {
    const li = messageId && rowOf(messageId);
    if (!li || !li.classList.contains('mine')) return;
    let span = li.querySelector('.receipt');
    if (!span) {
      span = document.createElement('div');
      span.className = 'receipt';
      li.append(span);
    }
    if (span.textContent !== 'Read') span.textContent = label;
  }

  function sendReceipt(kind, messageId) {
    if (!session) return;
    session
      .sendEvent({ contentType: `${EVENT}message.${kind}`, content: JSON.stringify({ messageId }) })
      .catch(() => {
        // Receipts are a courtesy; one that did not go is not retried.
      });
  }

  /** Delivered at once; read when the page is on screen (now, or when it comes back). */
  function acknowledge(item) {
    sendReceipt('delivered', item.Id);
    if (document.visibilityState === 'visible') sendReceipt('read', item.Id);
    else unread.add(item.Id);
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    for (const id of unread) sendReceipt('read', id);
    unread.clear();
  });

  function receiptFrom(data) {
    const meta = data && data.MessageMetadata;
    const receipt = meta && (meta.Receipts || [])[0];
    return receipt && receipt.RecipientParticipantId !== me ? meta.MessageId : null;
  }

  async function loadHistory() {
    const res = await session.getTranscript({ maxResults: 100, sortOrder: 'ASCENDING' });
    for (const item of res.data.Transcript || []) {
      render(item);
      // The history answers receipts folded into the messages they are for.
      const receipts = ((item.MessageMetadata && item.MessageMetadata.Receipts) || []).filter(
        (r) => r.RecipientParticipantId !== me,
      );
      if (receipts.some((r) => r.ReadTimestamp)) markReceipt(item.Id, 'Read');
      else if (receipts.some((r) => r.DeliveredTimestamp)) markReceipt(item.Id, 'Delivered');
    }
  }

  async function start(displayName) {
    showError('');
    transcriptEl.replaceChildren();
    clearTyping();
    unread.clear();
    setStatus('connecting');
    const res = await fetch('/test-chat/api/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message || `Could not start a chat (${res.status})`);
    const { ContactId, ParticipantId, ParticipantToken } = body;

    const ChatSession = window.connect.ChatSession;
    ChatSession.setGlobalConfig({
      region: REGION,
      // chatjs calls the Participant Service and opens its websocket on this node.
      endpoint: location.origin,
      loggerConfig: {
        level: ChatSession.LogLevel.WARN,
        // Without it chatjs complains that the custom logger has no "undefined" method.
        advancedLogWriter: 'warn',
        // chatjs warns about routine things (and its advanced log goes to warn): only errors show.
        customizedLogger: {
          debug() {},
          info() {},
          warn() {},
          error: (...args) => console.warn('chatjs', ...args),
        },
      },
      features: { messageReceipts: { shouldSendMessageReceipts: true, throttleTime: 500 } },
    });
    const chat = ChatSession.create({
      chatDetails: { ContactId, ParticipantId, ParticipantToken },
      options: { region: REGION },
      type: 'CUSTOMER',
      disableCSM: true,
    });
    session = chat;
    me = ParticipantId;

    // Callbacks from an earlier chat on this page are ignored.
    const current = (handler) => (event) => {
      if (session === chat) handler(event && event.data);
    };
    chat.onConnectionEstablished(current(() => setStatus('connected')));
    chat.onConnectionBroken(current(() => setStatus('reconnecting')));
    chat.onMessage(
      current((data) => {
        if (!data || data.ContentType === TYPING || data.Type === 'MESSAGEMETADATA') return;
        if (data.Type === 'MESSAGE' && data.ParticipantId === typingFrom) clearTyping();
        render(data);
      }),
    );
    chat.onTyping(
      current((data) => {
        if (!data || data.ParticipantId === me) return;
        typingFrom = data.ParticipantId;
        const span = document.createElement('span');
        span.dataset.testid = 'customer-typing';
        span.textContent = 'Agent is typing…';
        typingEl.replaceChildren(span);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(clearTyping, TYPING_MS);
      }),
    );
    chat.onReadReceipt(current((data) => markReceipt(receiptFrom(data), 'Read')));
    chat.onDeliveredReceipt(current((data) => markReceipt(receiptFrom(data), 'Delivered')));
    chat.onEnded(
      current(() => {
        clearTyping();
        setStatus('ended');
      }),
    );

    const result = await chat.connect();
    if (!result || !result.connectSuccess) throw new Error('Could not connect to the chat');
    if (statusEl.dataset.status === 'connecting') setStatus('connected');
    await loadHistory();
  }

  startForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = nameEl.value.trim() || 'Customer';
    start(name).catch((err) => {
      showError(errorText(err));
      setStatus('ended');
    });
  });

  endBtn.addEventListener('click', () => {
    if (!session) return;
    endBtn.disabled = true;
    session.disconnectParticipant().then(
      () => {
        clearTyping();
        setStatus('ended');
      },
      (err) => {
        showError(errorText(err));
        endBtn.disabled = false;
      },
    );
  });

  function send() {
    const text = composeEl.value.trim();
    if (!text || !session || statusEl.dataset.status !== 'connected') return;
    composeEl.value = '';
    sendBtn.disabled = true;
    lastTypingSent = 0;
    session.sendMessage({ contentType: 'text/plain', message: text }).catch((err) => {
      showError(`Not sent: ${errorText(err)}`);
      composeEl.value = text;
      sendBtn.disabled = false;
    });
  }

  composeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });

  composeEl.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });

  composeEl.addEventListener('input', () => {
    sendBtn.disabled = !composeEl.value.trim() || statusEl.dataset.status !== 'connected';
    if (!session || !composeEl.value.trim() || Date.now() - lastTypingSent < TYPING_MS) return;
    lastTypingSent = Date.now();
    session.sendEvent({ contentType: TYPING }).catch(() => {
      // Typing is a hint; a lost one does not matter.
    });
  });
})();
