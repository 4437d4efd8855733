/* Partner help-desk chat widget for Rasa's socket.io channel (Rasa 3.6, session_persistence: true).
 *
 * Embed on any site with one script tag (the console's address in src; options as data- attributes):
 *   <script src="https://helpdesk.example.org/static/console/widget.js" data-server="https://bot.example.org"
 *           data-language="fr" data-title="Assistant partenaires" defer></script>
 *   data-server    Rasa's address as the partner's browser sees it (default: the page's own origin)
 *   data-language  "fr" (default) or "en": the widget's texts and the language Rasa gets until the partner writes
 *   data-title     the heading of the chat box
 *   data-max-chars the longest message the Rasa server takes (its MAX_MESSAGE_CHARS; 0 or absent: no limit here)
 * The chat appears in <div id="helpdesk-chat"> when the page has one, else in one added at the end of <body>.
 * When window.io is absent the widget loads the pinned socket.io client itself from the origin it was served
 * from (/vendor/socket.io.min.js on the console), so no CDN is involved; likewise its stylesheet (widget.css
 * beside widget.js) when the page does not link it already.
 *
 * Protocol: on connect, emit `session_request` {session_id} and wait for `session_confirm` (Rasa only routes
 * replies to a socket that has joined the session's room); then `user_uttered` {message, session_id, metadata}
 * and replies on `bot_uttered` {text, quick_replies|buttons, attachment, custom}.
 * Bot and partner text is always inserted as text (textContent / text nodes), never as HTML.
 * One dependency-free file, in this order: configuration, strings, all state, storage, view, connection, wiring.
 */
(function () {
  "use strict";
  // ---- configuration: the script tag's data- attributes ----
  var script = document.currentScript;
  var server = (script && script.getAttribute("data-server")) || window.location.origin;
  // The origin widget.js came from: the pinned socket.io client is served there too.
  var ownOrigin = (/^(https?:\/\/[^\/?#]+)/i.exec((script && script.src) || "") || [])[1] || window.location.origin;
  var CLIENT_PATH = "/vendor/socket.io.min.js";
  var STYLESHEET = ((script && script.src) || "").replace(/widget\.js([?#].*)?$/, "widget.css");
  var language = script && script.getAttribute("data-language") === "en" ? "en" : "fr";
  // ---- strings ----
  var T = {
    fr: {
      title: "Assistant partenaires", placeholder: "Écrivez votre question…", send: "Envoyer",
      sendLabel: "Envoyer le message", restart: "Recommencer", restartLabel: "Recommencer la conversation",
      typing: "L'assistant écrit…", log: "Conversation avec l'assistant", form: "Votre message",
      you: "Vous", bot: "Assistant", choices: "Réponses proposées",
      connecting: "Connexion à l'assistant… Votre message sera envoyé dans un instant.",
      offline: "L'assistant est injoignable pour le moment. Nouvelle tentative en cours… " +
        "Vos messages seront envoyés dès que la connexion reviendra.",
      slow: "Pas encore de réponse. L'assistant est peut-être en train de démarrer : patientez ou réessayez.",
      noClient: "Le chat ne peut pas démarrer : le client socket.io n'a pas été chargé. " +
        "Rechargez la page ou contactez l'équipe d'assistance.",
      image: "Image",
      attach: "Joindre une capture d'écran ou un PDF", sending: "Envoi de {name}…",
      fileFailed: "Le fichier n'a pas pu être envoyé. Vérifiez votre connexion et réessayez."
    },
    en: {
      title: "Partner assistant", placeholder: "Type your question…", send: "Send",
      sendLabel: "Send the message", restart: "Start over", restartLabel: "Start the conversation over",
      typing: "The assistant is typing…", log: "Conversation with the assistant", form: "Your message",
      you: "You", bot: "Assistant", choices: "Suggested answers",
      connecting: "Connecting to the assistant… Your message will be sent in a moment.",
      offline: "The assistant cannot be reached right now. Retrying… " +
        "Your messages will be sent as soon as the connection is back.",
      slow: "No answer yet. The assistant may still be starting: please wait or try again.",
      noClient: "The chat cannot start: the socket.io client did not load. " +
        "Reload the page or contact the support team.",
      image: "Image",
      attach: "Attach a screenshot or a PDF", sending: "Sending {name}…",
      fileFailed: "The file could not be sent. Check your connection and try again."
    }
  }[language];
  var title = (script && script.getAttribute("data-title")) || T.title;
  var maxChars = parseInt((script && script.getAttribute("data-max-chars")) || "0", 10);
  var storeKey = "helpdesk-chat:" + server;
  var MAX_HISTORY = 200;
  var REPLY_TIMEOUT_MS = 45000;

  // ---- all state, declared before any code uses it ----
  var state = null;         // {sessionId, history, outbox}, kept in localStorage (load and save below)
  var lastBotNode = null;   // the bot's latest message in the log
  var lastUserNode = null;  // the partner's latest message in the log (masked when the server says it held a secret)
  var typing = null;        // the "typing" indicator while a reply is pending
  var replyTimer = null;    // says "no answer yet" when a reply takes too long
  var connected = false;    // true once Rasa confirmed the session: only then can replies reach this page
  var failed = false;       // true once a connection attempt failed or dropped (until the next confirmation)
  var socket = null;

  // ---- state kept in localStorage: a stable session id and the conversation, so a reload shows it again ----
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey));
      if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.history)) {
        if (!Array.isArray(saved.outbox)) saved.outbox = [];
        return saved;
      }
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { sessionId: newId(), history: [], outbox: [] };
  }
  // outbox: messages typed while Rasa was unreachable, kept so a reload does not lose them.
  state = load();
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: memory only */ }
  }
  save();

  // ---- DOM ----
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  var root = document.getElementById("helpdesk-chat");
  if (!root) {
    root = el("div");
    root.setAttribute("id", "helpdesk-chat");
    document.body.appendChild(root);
  }
  if (/widget\.css$/.test(STYLESHEET) && document.querySelector && !document.querySelector('link[href$="widget.css"]')) {
    var css = el("link");
    css.rel = "stylesheet";
    css.href = STYLESHEET;
    (document.head || document.body).appendChild(css);
  }
  var box = el("section", "hd-chat");
  box.setAttribute("aria-label", title);
  var head = el("header", "hd-head");
  head.appendChild(el("h2", null, title));
  var restart = el("button", "hd-restart", T.restart);
  restart.type = "button";
  restart.setAttribute("aria-label", T.restartLabel);
  head.appendChild(restart);
  var status = el("div", "hd-status");
  status.setAttribute("role", "status");
  status.hidden = true;
  var log = el("div", "hd-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", T.log);
  log.setAttribute("tabindex", "0");  // a keyboard user can focus the log to scroll it
  var form = el("form", "hd-form");
  form.setAttribute("aria-label", T.form);
  var input = el("input");
  input.type = "text";
  if (maxChars > 0) input.maxLength = maxChars;
  input.placeholder = T.placeholder;
  input.autocomplete = "off";
  input.setAttribute("aria-label", T.placeholder);
  var send = el("button", "hd-send", T.send);
  send.type = "submit";
  send.setAttribute("aria-label", T.sendLabel);
  // A screenshot or PDF of the error, for the team only (bot/console/public/chat_files.py): the file goes to the
  // console this script came from, never into the conversation or this page's storage (only its name does).
  var attach = el("button", "hd-attach", "\uD83D\uDCCE");
  attach.type = "button";
  attach.title = T.attach;
  attach.setAttribute("aria-label", T.attach);
  var picker = el("input");
  picker.type = "file";
  picker.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf";
  picker.multiple = true;
  picker.hidden = true;
  picker.className = "hd-file-input";
  form.appendChild(input);
  form.appendChild(attach);
  form.appendChild(picker);
  form.appendChild(send);
  box.appendChild(head);
  box.appendChild(status);
  box.appendChild(log);
  box.appendChild(form);
  root.appendChild(box);

  function showStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  var URL_PATTERN = /https?:\/\/[^\s<>"'()]*[^\s<>"'(),.;:!?]/g;
  function appendText(node, text) {
    // Links become <a> elements built with the DOM; everything else stays plain text.
    text = String(text);
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      if (match.index > last) node.appendChild(document.createTextNode(text.slice(last, match.index)));
      node.appendChild(link(match[0], match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }
  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function render(entry, live) {
    if (entry.kind === "user") {
      var u = el("div", "hd-msg hd-user");
      u.setAttribute("aria-label", T.you);
      appendText(u, entry.text);
      log.appendChild(u);
      lastUserNode = u;
    } else if (entry.kind === "bot") {
      var b = el("div", "hd-msg hd-bot");
      b.setAttribute("aria-label", T.bot);
      appendText(b, entry.text);
      if (entry.article) b.setAttribute("data-kb-article", entry.article);
      log.appendChild(b);
      lastBotNode = b;
    } else if (entry.kind === "file") {
      var f = el("div", "hd-msg hd-user hd-file");
      f.setAttribute("aria-label", T.you);
      f.textContent = "\uD83D\uDCCE " + entry.name;
      log.appendChild(f);
    } else if (entry.kind === "link") {
      var l = el("div", "hd-msg hd-bot");
      l.appendChild(link(entry.href, entry.text));
      log.appendChild(l);
    } else if (entry.kind === "buttons" && live) {
      var group = el("div", isFeedback(entry) ? "hd-buttons hd-feedback" : "hd-buttons");
      group.setAttribute("role", "group");
      // Labelled with the question the buttons answer ("Cette réponse vous aide-t-elle ?").
      group.setAttribute("aria-label", entry.label || T.choices);
      entry.buttons.forEach(function (btn) {
        var button = el("button", null, btn.title);
        button.type = "button";
        button.addEventListener("click", function () {
          group.remove();
          dropButtons();
          sendMessage(btn.payload, btn.title);
          input.focus();  // the clicked button is gone: keyboard users continue from the input
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
  }
  function isFeedback(entry) {
    // The "was this helpful?" control after a knowledge-base answer: Yes (/affirm) and No (/deny).
    var payloads = entry.buttons.map(function (b) { return b.payload; });
    return payloads.indexOf("/affirm") >= 0 && payloads.indexOf("/deny") >= 0 && !!entry.afterArticle;
  }
  function question(text) {
    // The last line of the message that carries the buttons: the question they answer.
    var lines = String(text || "").split("\n").filter(function (line) { return line.trim(); });
    return lines.length ? lines[lines.length - 1].trim() : "";
  }
  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
    save();
  }
  function dropButtons() {
    // Answered buttons are not shown again after a reload.
    state.history = state.history.filter(function (entry) { return entry.kind !== "buttons"; });
    save();
  }

  // ---- typing indicator ----
  function showTyping(on) {
    if (on && !typing) {
      typing = el("div", "hd-typing", T.typing);
      typing.setAttribute("aria-label", T.typing);
      log.appendChild(typing);
      log.scrollTop = log.scrollHeight;
    }
    if (!on && typing) { typing.remove(); typing = null; }
    if (replyTimer) { clearTimeout(replyTimer); replyTimer = null; }
    if (on) {
      replyTimer = setTimeout(function () {
        showTyping(false);
        if (connected) showStatus(T.slow);
      }, REPLY_TIMEOUT_MS);
    }
  }

  // ---- restore the conversation; only the last set of buttons, if nothing came after it, stays clickable ----
  state.history.forEach(function (entry, i) {
    render(entry, entry.kind !== "buttons" || i === state.history.length - 1);
  });

  // ---- socket.io: the page's client when it has one, else the pinned one from where widget.js came from ----
  function noClient() {
    showStatus(T.noClient);
    input.disabled = true;
    send.disabled = true;
    restart.disabled = true;
  }
  if (typeof window.io === "function") {
    start();
  } else {
    var loader = document.createElement("script");
    loader.src = ownOrigin + CLIENT_PATH;
    loader.async = true;
    loader.onload = function () { if (typeof window.io === "function") start(); else noClient(); };
    loader.onerror = noClient;
    (document.head || document.body).appendChild(loader);
  }

  function start() {
    socket = window.io(server, { transports: ["websocket", "polling"], reconnection: true, reconnectionDelayMax: 5000 });

    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (id && id !== state.sessionId) { state.sessionId = String(id); save(); }
      connected = true;
      failed = false;
      showStatus("");
      var queued = state.outbox;
      state.outbox = [];
      save();
      queued.forEach(emitUtterance);
      if (queued.length) showTyping(true);
    });
    function offline() {
      connected = false;
      failed = true;
      showTyping(false);
      showStatus(T.offline);
    }
    socket.on("disconnect", offline);
    socket.on("connect_error", offline);

    socket.on("bot_uttered", function (data) {
      if (!data || typeof data !== "object") return;
      showTyping(false);
      showStatus("");
      if (typeof data.text === "string" && data.text) {
        var entry = { kind: "bot", text: data.text };
        remember(entry);
        render(entry, true);
      }
      var attachment = data.attachment;
      var src = attachment && attachment.payload && attachment.payload.src;
      if (typeof src === "string" && /^https?:\/\//i.test(src)) {
        var picture = { kind: "link", href: src, text: T.image + " : " + src };
        remember(picture);
        render(picture, true);
      }
      // A knowledge-base answer names its article ({"kb_article": id} in Rasa's `custom`), sent just after its text.
      var custom = data.custom && typeof data.custom === "object" ? data.custom : data;
      // The warning about a typed password carries the message as the server stored it, secret masked: the
      // partner's bubble and the copy kept in localStorage become that one, so the secret is not kept here either.
      if (typeof custom.masked_message === "string") maskLastUserMessage(custom.masked_message);
      if (typeof custom.kb_article === "string") {
        if (lastBotNode) lastBotNode.setAttribute("data-kb-article", custom.kb_article);
        for (var i = state.history.length - 1; i >= 0; i--) {
          if (state.history[i].kind === "bot") { state.history[i].article = custom.kb_article; save(); break; }
        }
      }
      var buttons = data.quick_replies || data.buttons;
      if (Array.isArray(buttons) && buttons.length) {
        var group = {
          kind: "buttons",
          label: question(data.text) || lastBotQuestion(),
          afterArticle: answeredFromArticle(),
          buttons: buttons
            .filter(function (b) { return b && typeof b.title === "string"; })
            .map(function (b) { return { title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }; })
        };
        if (group.buttons.length) {
          remember(group);
          render(group, true);
        }
      }
    });

  } // start()

  function maskLastUserMessage(masked) {
    for (var i = state.history.length - 1; i >= 0; i--) {
      if (state.history[i].kind === "user") { state.history[i].text = masked; save(); break; }
    }
    if (lastUserNode) { lastUserNode.textContent = ""; appendText(lastUserNode, masked); }
  }
  function lastBotQuestion() {
    for (var i = state.history.length - 1; i >= 0; i--) {
      if (state.history[i].kind === "bot") return question(state.history[i].text);
    }
    return "";
  }
  function answeredFromArticle() {
    // True when a knowledge-base answer came since the partner last wrote.
    for (var i = state.history.length - 1; i >= 0; i--) {
      var entry = state.history[i];
      if (entry.kind === "user") return false;
      if (entry.kind === "bot" && entry.article) return true;
    }
    return false;
  }

  function emitUtterance(message) {
    socket.emit("user_uttered", { message: message, session_id: state.sessionId, metadata: { language: language } });
  }
  function sendMessage(message, shown) {
    var entry = { kind: "user", text: shown || message };
    remember(entry);
    render(entry, true);
    if (connected && socket) {
      emitUtterance(message);
      showTyping(true);
    } else {
      state.outbox.push(message);
      save();
      showStatus(failed ? T.offline : T.connecting);
    }
  }

  // ---- wiring: the form and the restart button ----
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    dropButtons();
    var groups = log.getElementsByClassName ? log.getElementsByClassName("hd-buttons") : [];
    for (var g = groups.length - 1; g >= 0; g--) groups[g].remove();
    sendMessage(text);
  });

  function sendFile(file) {
    var entry = { kind: "file", name: String(file.name || "capture").slice(0, 120) };
    remember(entry);
    render(entry, true);
    showStatus(T.sending.replace("{name}", entry.name));
    var body = new FormData();
    body.append("session_id", state.sessionId);
    body.append("language", language);
    body.append("file", file, entry.name);
    function said(text) {
      showStatus("");
      var reply = { kind: "bot", text: text };
      remember(reply);
      render(reply, true);
      log.scrollTop = log.scrollHeight;
    }
    window.fetch(ownOrigin + "/chat/files?language=" + language, { method: "POST", body: body, mode: "cors", credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (answer) { said(answer && typeof answer.message === "string" ? answer.message : T.fileFailed); })
      .catch(function () { said(T.fileFailed); });
  }
  function sendFiles(files) {
    for (var i = 0; i < files.length && i < 5; i++) sendFile(files[i]);
  }
  attach.addEventListener("click", function () { picker.click(); });
  picker.addEventListener("change", function () {
    sendFiles(picker.files || []);
    picker.value = "";
  });
  // Drag and drop anywhere on the chat: the box is outlined while a file is over it.
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  box.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    box.classList.add("hd-dropping");
  });
  box.addEventListener("dragleave", function () { box.classList.remove("hd-dropping"); });
  box.addEventListener("drop", function (event) {
    box.classList.remove("hd-dropping");
    if (!carriesFiles(event)) return;
    event.preventDefault();
    sendFiles(event.dataTransfer.files || []);
  });

  restart.addEventListener("click", function () {
    state = { sessionId: newId(), history: [], outbox: [] };
    save();
    log.textContent = "";
    lastBotNode = null;
    lastUserNode = null;
    typing = null;
    showTyping(false);
    connected = false;
    if (socket && socket.connected) socket.emit("session_request", { session_id: state.sessionId });
    input.focus();
  });
})();
