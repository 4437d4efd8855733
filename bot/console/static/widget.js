/* Partner help-desk chat widget. Embed with one script tag (after the socket.io client):
 *   <script src=".../widget.js" data-server="https://bot.example.org" data-language="fr" data-title="Aide"></script>
 * Bot and partner text is always inserted as text (textContent), never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  var server = script.getAttribute("data-server") || window.location.origin;
  var language = script.getAttribute("data-language") === "en" ? "en" : "fr";
  var T = {
    fr: { title: "Assistant partenaires", placeholder: "Écrivez votre question…", send: "Envoyer",
          restart: "Recommencer", typing: "L'assistant écrit…", offline: "L'assistant est injoignable. Nouvelle tentative…",
          log: "Conversation avec l'assistant", you: "Vous", bot: "Assistant" },
    en: { title: "Partner assistant", placeholder: "Type your question…", send: "Send",
          restart: "Start over", typing: "The assistant is typing…", offline: "The assistant cannot be reached. Retrying…",
          log: "Conversation with the assistant", you: "You", bot: "Assistant" }
  }[language];
  var title = script.getAttribute("data-title") || T.title;
  var storeKey = "helpdesk-chat:" + server;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  var state = load();
  if (!state.sessionId) { state.sessionId = newId(); state.history = []; }
  function save() { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function newId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var root = document.getElementById("helpdesk-chat") || document.body.appendChild(el("div"));
  var box = el("section", "hd-chat");
  box.setAttribute("aria-label", title);
  var head = el("header", "hd-head");
  head.appendChild(el("h2", null, title));
  var restart = el("button", null, T.restart);
  restart.type = "button";
  head.appendChild(restart);
  var status = el("div", "hd-status", T.offline);
  status.setAttribute("role", "status");
  status.hidden = true;
  var log = el("div", "hd-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", T.log);
  var form = el("form", "hd-form");
  var input = el("input");
  input.type = "text";
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  var send = el("button", null, T.send);
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  box.appendChild(head); box.appendChild(status); box.appendChild(log); box.appendChild(form);
  root.appendChild(box);

  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+[^\s<>"'),.;:!?])/g;
  function appendText(node, text) {
    // Links become <a> elements built with the DOM; everything else stays plain text.
    var last = 0, match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = el("a", null, match[0]);
      a.href = match[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      node.appendChild(a);
      last = match.index + match[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(entry, live) {
    if (entry.kind === "user") {
      var u = el("div", "hd-msg hd-user");
      u.setAttribute("aria-label", T.you);
      appendText(u, entry.text);
      log.appendChild(u);
    } else if (entry.kind === "bot") {
      var b = el("div", "hd-msg hd-bot");
      appendText(b, entry.text);
      if (entry.article) b.setAttribute("data-kb-article", entry.article);
      log.appendChild(b);
    } else if (entry.kind === "buttons" && live) {
      var group = el("div", "hd-buttons");
      group.setAttribute("role", "group");
      entry.buttons.forEach(function (btn) {
        var button = el("button", null, btn.title);
        button.type = "button";
        button.addEventListener("click", function () {
          group.remove();
          sendMessage(btn.payload, btn.title);
        });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    log.scrollTop = log.scrollHeight;
  }

  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > 200) state.history = state.history.slice(-200);
    save();
  }

  var typing = null;
  function showTyping(on) {
    if (on && !typing) { typing = el("div", "hd-typing", T.typing); log.appendChild(typing); log.scrollTop = log.scrollHeight; }
    if (!on && typing) { typing.remove(); typing = null; }
  }

  var socket = io(server, { transports: ["websocket", "polling"], reconnection: true, reconnectionDelayMax: 5000 });
  socket.on("connect", function () {
    status.hidden = true;
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("disconnect", function () { status.hidden = false; showTyping(false); });
  socket.on("connect_error", function () { status.hidden = false; showTyping(false); });
  socket.on("bot_uttered", function (data) {
    showTyping(false);
    if (data.text) {
      var entry = { kind: "bot", text: data.text };
      remember(entry); render(entry, true);
    }
    if (data.kb_article) {
      // The article id arrives just after the answer's text: attach it to that answer.
      var bots = log.querySelectorAll(".hd-bot");
      if (bots.length) bots[bots.length - 1].setAttribute("data-kb-article", data.kb_article);
      for (var i = state.history.length - 1; i >= 0; i--) {
        if (state.history[i].kind === "bot") { state.history[i].article = data.kb_article; save(); break; }
      }
    }
    var buttons = data.quick_replies || data.buttons;
    if (buttons && buttons.length) {
      var group = { kind: "buttons", buttons: buttons.map(function (b) { return { title: b.title, payload: b.payload }; }) };
      remember(group); render(group, true);
    }
  });

  function sendMessage(message, shown) {
    var entry = { kind: "user", text: shown || message };
    remember(entry); render(entry, true);
    showTyping(true);
    socket.emit("user_uttered", { message: message, session_id: state.sessionId, metadata: { language: language } });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage(text);
  });

  restart.addEventListener("click", function () {
    state = { sessionId: newId(), history: [] };
    save();
    log.textContent = "";
    socket.emit("session_request", { session_id: state.sessionId });
  });

  // A reload shows the conversation again; only the last set of buttons stays clickable.
  var lastButtons = -1;
  state.history.forEach(function (entry, i) { if (entry.kind === "buttons") lastButtons = i; });
  state.history.forEach(function (entry, i) {
    render(entry, entry.kind !== "buttons" || (i === lastButtons && i === state.history.length - 1));
  });
})();
