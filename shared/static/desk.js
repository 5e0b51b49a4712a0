// htmx sends the session's CSRF token with every request it makes (the forms carry it as a field too).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
});

// Keyboard shortcuts (issue 15): on a queue j/k select the next/previous ticket, Enter or o opens it;
// on a ticket r goes to the reply box. Never while typing in a field, never with a modifier key (the
// browser's and screen readers' own shortcuts stay theirs). The selection is the row's link having
// focus, so Enter opens it natively and the focus ring shows where one is.
(function () {
  var selected = null; // the selected ticket's link href: survives htmx's refresh of the rows

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function ticketLinks() {
    var rows = document.getElementById("queue-rows");
    return rows ? Array.prototype.slice.call(rows.querySelectorAll('a[href^="/desk/tickets/"]')) : [];
  }

  function select(links, index) {
    links.forEach(function (link) { link.closest("tr").classList.remove("desk-selected"); });
    var link = links[index];
    link.closest("tr").classList.add("desk-selected");
    link.focus();
    selected = link.getAttribute("href");
  }

  function move(step) {
    var links = ticketLinks();
    if (!links.length) { return false; }
    var current = links.findIndex(function (link) { return link.getAttribute("href") === selected; });
    var next = current < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(current + step, 0), links.length - 1);
    select(links, next);
    return true;
  }

  function open() {
    var links = ticketLinks();
    var link = links.find(function (candidate) { return candidate.getAttribute("href") === selected; });
    if (!link) { return false; }
    window.location.assign(link.href);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) { return; }
    var handled = false;
    if (event.key === "j") { handled = move(1); }
    else if (event.key === "k") { handled = move(-1); }
    else if (event.key === "o") { handled = open(); }
    else if (event.key === "Enter") {
      // A focused link or button does its own thing on Enter; only an otherwise idle Enter opens the selection.
      var active = document.activeElement;
      if (active && active !== document.body && active.tagName.toLowerCase() !== "tr") { return; }
      handled = open();
    } else if (event.key === "r") {
      var reply = document.getElementById("reply-text");
      if (reply) { reply.focus(); handled = true; }
    }
    if (handled) { event.preventDefault(); }
  });

  // htmx replaces the rows every minute: keep the same ticket selected if it is still there.
  document.addEventListener("htmx:afterSwap", function () {
    var links = ticketLinks();
    var index = links.findIndex(function (link) { return link.getAttribute("href") === selected; });
    if (index >= 0 && document.activeElement === document.body) { select(links, index); }
  });
}());
