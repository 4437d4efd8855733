// The Publish page: poll the job's state while it runs and show it. Text goes in with textContent only.
(function () {
  "use strict";
  var POLL_MS = 2000;

  function show(id, text) {
    var element = document.getElementById(id);
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function render(status) {
    show("publish-label", status.label);
    show("publish-elapsed", status.elapsed_text);
    show("publish-last-line", status.last_line);
    show("publish-reason", status.reason);
    show("publish-note", status.note);
    var problems = document.getElementById("publish-problems");
    if (problems) {
      problems.textContent = "";
      (status.problems || []).forEach(function (problem) {
        var item = document.createElement("li");
        item.textContent = problem;
        problems.appendChild(item);
      });
    }
    (status.stages || []).forEach(function (stage) {
      var item = document.querySelector('#publish-stages li[data-stage="' + stage.stage + '"]');
      if (item) item.setAttribute("data-state", stage.state);
    });
    var button = document.getElementById("publish-button");
    if (button) button.disabled = Boolean(status.running);
  }

  function poll(url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        render(status);
        if (status.running) window.setTimeout(function () { poll(url); }, POLL_MS);
      })
      .catch(function () {
        window.setTimeout(function () { poll(url); }, POLL_MS * 3);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("publish");
    if (section && section.getAttribute("data-running") === "true") {
      poll(section.getAttribute("data-status-url"));
    }
  });
})();
