// Runs the chat widget (bot/console/static/widget.js) in Node with a small fake DOM and the real, pinned
// socket.io client, against a server on loopback, then prints what the partner would see as JSON.
//
//   node widget_harness.js PROJECT_ROOT SERVER_URL LANGUAGE SCENARIO
//
// SCENARIO: "full" (one-tag embedding that loads the client, outbox, buttons, article, metadata, the "was this
// helpful?" group, reload) or "offline" (no server; then a socket.io client that fails to load).
// The fake DOM throws on innerHTML / outerHTML / insertAdjacentHTML, so any HTML insertion fails the test.
// The page is on another site than widget.js (one script tag on a partner's site): the widget must fetch the
// socket.io client from widget.js's origin, not the page's.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [root, server, language, scenario] = process.argv.slice(2);
const { io: realIo } = require(path.join(root, "node_modules", "socket.io-client"));
const widgetCode = fs.readFileSync(path.join(root, "bot", "console", "static", "widget.js"), "utf8");

class FakeText {
  constructor(data) { this.data = data; this.parentNode = null; this.nodeType = 3; }
  get textContent() { return this.data; }
  remove() { detach(this); }
}

function detach(node) {
  if (!node.parentNode) return;
  const siblings = node.parentNode.childNodes;
  siblings.splice(siblings.indexOf(node), 1);
  node.parentNode = null;
}

class FakeElement {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.nodeType = 1;
    this.childNodes = [];
    this.parentNode = null;
    this.attributes = {};
    this.listeners = {};
    this.className = "";
    this.hidden = false;
    this.disabled = false;
    this.value = "";
    this.scrollTop = 0;
    this.scrollHeight = 0;
  }
  appendChild(node) { detach(node); node.parentNode = this; this.childNodes.push(node); return node; }
  remove() { detach(this); }
  get children() { return this.childNodes.filter((n) => n.nodeType === 1); }
  get textContent() { return this.childNodes.map((n) => n.textContent).join(""); }
  set textContent(value) {
    this.childNodes.forEach((n) => { n.parentNode = null; });
    this.childNodes = [];
    if (value !== "" && value !== null && value !== undefined) this.appendChild(new FakeText(String(value)));
  }
  get innerHTML() { throw new Error("innerHTML read"); }
  set innerHTML(value) { throw new Error("innerHTML used with " + value); }
  set outerHTML(value) { throw new Error("outerHTML used with " + value); }
  insertAdjacentHTML() { throw new Error("insertAdjacentHTML used"); }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  getAttribute(name) { return Object.prototype.hasOwnProperty.call(this.attributes, name) ? this.attributes[name] : null; }
  addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
  dispatch(type) {
    const event = { type, target: this, preventDefault() { this.defaultPrevented = true; } };
    (this.listeners[type] || []).forEach((listener) => listener.call(this, event));
    return event;
  }
  focus() {}
  getElementsByClassName(name) {
    const found = [];
    const walk = (node) => node.children.forEach((child) => {
      if (child.className.split(/\s+/).includes(name)) found.push(child);
      walk(child);
    });
    walk(this);
    return found;
  }
}

const storage = new Map();
const localStorage = {
  getItem: (key) => (storage.has(key) ? storage.get(key) : null),
  setItem: (key, value) => storage.set(key, String(value)),
  removeItem: (key) => storage.delete(key),
};
const emitted = [];
const received = [];
const confirmed = [];
const sockets = [];
const loaded = [];   // src of every <script> the widget added to the page
const PAGE_ORIGIN = "http://partner-site.example.org";
const WIDGET_SRC = "http://console.example.org:8000/static/console/widget.js";

function spyIo(url, options) {
  const socket = realIo(url, Object.assign({}, options, { reconnectionDelay: 200, reconnectionDelayMax: 500 }));
  sockets.push(socket);
  const emit = socket.emit.bind(socket);
  socket.emit = (event, ...args) => { emitted.push([event, args[0]]); return emit(event, ...args); };
  socket.on("session_confirm", (data) => confirmed.push(data));
  socket.on("bot_uttered", (data) => received.push(data));
  return socket;
}

// client: "page" (the page already has window.io), "load" (widget.js loads it), "fail" (loading it fails)
function loadPage(client = "page") {
  const window = { location: { origin: PAGE_ORIGIN }, localStorage, crypto: globalThis.crypto };
  const head = new FakeElement("head");
  head.appendChild = function (node) {
    FakeElement.prototype.appendChild.call(this, node);
    if (node.tagName === "SCRIPT") {
      loaded.push(node.src);
      setTimeout(() => {
        if (client === "load") { window.io = spyIo; node.onload(); } else { node.onerror(); }
      }, 50);
    }
    return node;
  };
  const body = new FakeElement("body");
  const mount = body.appendChild(new FakeElement("div"));
  mount.setAttribute("id", "helpdesk-chat");
  const script = new FakeElement("script");
  script.src = WIDGET_SRC;
  script.setAttribute("data-server", server);
  script.setAttribute("data-language", language);
  const document = {
    head,
    body,
    currentScript: script,
    createElement: (tag) => new FakeElement(tag),
    createTextNode: (text) => new FakeText(String(text)),
    getElementById: (id) => (id === "helpdesk-chat" ? mount : null),
  };
  if (client === "page") window.io = spyIo;
  vm.runInNewContext(widgetCode, { window, document, setTimeout, clearTimeout, console });
  const find = (cls) => mount.getElementsByClassName(cls)[0];
  return { mount, log: find("hd-log"), form: find("hd-form"), status: find("hd-status"), find };
}

function snapshot(page) {
  return page.log.children.map((node) => ({
    cls: node.className,
    text: node.textContent,
    article: node.getAttribute("data-kb-article"),
    label: node.getAttribute("aria-label"),
    elements: node.children.map((child) => ({
      tag: child.tagName,
      text: child.textContent,
      href: child.href || null,
      rel: child.rel || null,
      target: child.target || null,
    })),
  }));
}

function type(page, text) {
  const input = page.form.children.find((n) => n.tagName === "INPUT");
  input.value = text;
  page.form.dispatch("submit");
}

function until(check, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) { clearInterval(timer); resolve(); } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error("timed out waiting for " + what));
      }
    }, 20);
  });
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function full() {
  const result = {};
  const page = loadPage("load");             // one script tag: widget.js loads the socket.io client itself
  type(page, "bonjour");                     // typed before the session is confirmed: kept in the outbox
  result.outboxBeforeConnect = JSON.parse([...storage.values()][0]).outbox;
  result.statusBeforeConnect = page.status.textContent;
  await until(() => received.some((m) => m.kb_article), "the greeting and its article");
  result.typingAfterGreeting = page.log.getElementsByClassName("hd-typing").length;
  const group = page.log.getElementsByClassName("hd-buttons")[0];
  result.buttonTitles = group ? group.children.map((b) => b.textContent) : [];
  result.buttonGroup = group ? { role: group.getAttribute("role"), label: group.getAttribute("aria-label") } : null;
  group.children[0].dispatch("click");
  result.buttonsAfterClick = page.log.getElementsByClassName("hd-buttons").length;
  await until(() => received.some((m) => /^payload=/.test(m.text || "")), "the payload echo");
  type(page, "metadata?");
  result.typingWhilePending = page.log.getElementsByClassName("hd-typing").length;
  await until(() => received.some((m) => /^metadata=/.test(m.text || "")), "the metadata echo");
  result.log = snapshot(page);
  type(page, "article?");                    // an article answer, then "was this helpful?"
  await until(() => page.log.getElementsByClassName("hd-buttons").length, "the feedback buttons");
  const feedback = page.log.getElementsByClassName("hd-buttons")[0];
  result.feedback = {
    cls: feedback.className,
    role: feedback.getAttribute("role"),
    label: feedback.getAttribute("aria-label"),
    buttons: feedback.children.map((b) => ({ tag: b.tagName, type: b.type, text: b.textContent })),
  };
  result.logFinal = snapshot(page);
  sockets[0].disconnect();

  const again = loadPage("page");            // a reload: same storage, new page
  result.logAfterReload = snapshot(again);
  await until(() => confirmed.length >= 2, "the second session_confirm");
  sockets[1].disconnect();
  result.sessionRequests = emitted.filter(([event]) => event === "session_request").map(([, data]) => data);
  result.utterances = emitted.filter(([event]) => event === "user_uttered").map(([, data]) => data);
  result.confirmed = confirmed;
  result.received = received;
  result.loaded = loaded;
  result.controls = {
    restart: page.find("hd-restart").getAttribute("aria-label"),
    send: page.find("hd-send").getAttribute("aria-label"),
    sendTag: page.find("hd-send").tagName,
    input: page.form.children[0].getAttribute("aria-label"),
    log: page.log.getAttribute("aria-label"),
    logRole: page.log.getAttribute("role"),
    logTabindex: page.log.getAttribute("tabindex"),
  };
  return result;
}

async function offline() {
  const page = loadPage();
  await until(() => !page.status.hidden, "the offline notice", 5000);
  type(page, "allo ?");
  const result = {
    status: page.status.textContent,
    outbox: JSON.parse([...storage.values()][0]).outbox,
    log: snapshot(page),
    sent: emitted.filter(([event]) => event === "user_uttered").length,
  };
  sockets[0].disconnect();
  const noClient = loadPage("fail");
  await until(() => !noClient.status.hidden, "the no-client notice", 5000);
  result.noClientStatus = noClient.status.textContent;
  result.noClientInputDisabled = noClient.form.children[0].disabled;
  result.loaded = loaded;
  return result;
}

const scenarios = { full, offline };
scenarios[scenario]()
  .then((result) => { process.stdout.write(JSON.stringify(result)); process.exit(0); })
  .catch((error) => {
    process.stdout.write(JSON.stringify({ error: String(error && error.stack || error), received, emitted }));
    process.exit(1);
  });
