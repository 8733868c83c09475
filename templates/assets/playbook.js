/* The RACI matrix filter (Find, role, letter, kept in the address), on the static page. */
(function () {
  "use strict";

  /* Matrix: one Find box (activity, area, stage, role, role id, holder), a role and a letter;
     the state in the address (?q=&role=&letter=); the header kept in view; notes on hover and
     focus; the same filter on the phone's cards. */
  function setup(box) {
    var app = box.closest(".pb-matrix-app") || box.parentNode;
    var table = app.querySelector("table.pb-matrix");
    if (!table) { return; }
    var controls = {};
    box.querySelectorAll("[data-filter]").forEach(function (el) { controls[el.dataset.filter] = el; });
    var count = box.querySelector(".pb-count");
    var none = app.querySelector(".pb-none");
    var permalink = box.querySelector(".pb-permalink");
    var total = Number(box.dataset.total);
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th[data-role]"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[id]"));
    var list = app.querySelector(".pb-cardlist");
    if (list && !list.firstElementChild) { buildCards(table, list, box); }
    var cards = {};
    app.querySelectorAll(".pb-card[data-activity]").forEach(function (li) { cards[li.dataset.activity] = li; });
    var noteRows = {};
    table.querySelectorAll("tr.pb-noterow").forEach(function (tr) { noteRows[tr.dataset.for] = tr; });
    var wrap = app.querySelector(".pb-matrix-wrap");

    function norm(s) { return (s || "").trim().toLowerCase().replace(/\s+/g, " "); }
    var headOf = {};
    heads.forEach(function (th) { headOf[th.dataset.role] = th; });
    /* What Find matches a row by: the activity's name and id, its area and stage, and the
       name, id and holders of each role with a letter on it. */
    function hayOf(tr) {
      if (tr.dataset.search !== undefined) { return tr.dataset.search; }
      if (tr.pbHay === undefined) {
        var parts = [tr.cells[0].textContent, tr.id, tr.parentNode.dataset.area, tr.cells[1].textContent];
        tr.querySelectorAll("td[data-role]").forEach(function (td) {
          var th = headOf[td.dataset.role];
          if (th) { parts.push(th.dataset.name, th.dataset.role, th.dataset.people); }
        });
        tr.pbHay = norm(parts.join(" "));
      }
      return tr.pbHay;
    }
    function namedRole(q) {
      if (!q) { return ""; }
      var found = heads.filter(function (th) { return th.dataset.name === q || th.dataset.role === q; });
      return found.length === 1 ? found[0].dataset.role : "";
    }
    function has(tr, role, letter) {
      return Array.prototype.some.call(tr.querySelectorAll("td[data-role]"), function (td) {
        if (role && td.dataset.role !== role) { return false; }
        return !letter || td.dataset.letters.split(" ").indexOf(letter) !== -1;
      });
    }

    function apply(fromUrl) {
      var q = norm(controls.text.value), role = controls.role.value, letter = controls.letter.value;
      var named = namedRole(q);
      var words = named ? [] : q.split(" ").filter(Boolean);
      var marked = role || named;
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = true;
        if (role || named || letter) {
          ok = (!role || has(tr, role, letter)) && (!named || has(tr, named, role ? "" : letter));
          if (!role && !named) { ok = has(tr, "", letter); }
        }
        if (ok && words.length) {
          var hay = hayOf(tr);
          ok = words.every(function (w) { return hay.indexOf(w) !== -1; });
        }
        tr.hidden = !ok;
        if (noteRows[tr.id]) { noteRows[tr.id].hidden = !ok; }
        var card = cards[tr.id];
        if (card) {
          card.hidden = !ok;
          card.querySelectorAll("[data-role]").forEach(function (el) {
            el.classList.toggle("pb-chosen", !!marked && el.dataset.role === marked);
          });
        }
        if (ok) { shown += 1; }
      });
      table.querySelectorAll("tbody").forEach(function (tb) {
        var head = tb.querySelector("tr.pb-area");
        if (head) { head.hidden = !tb.querySelector("tr[id]:not([hidden])"); }
      });
      app.querySelectorAll(".pb-cards-area").forEach(function (li) {
        li.hidden = !li.querySelector(".pb-card:not([hidden])");
      });
      var hits = {};
      heads.forEach(function (th) {
        var hit = marked ? th.dataset.role === marked : words.length > 0 && words.every(function (w) {
          return (th.dataset.name + " " + th.dataset.role + " " + th.dataset.people).indexOf(w) !== -1;
        });
        th.classList.toggle("pb-hit", hit);
        hits[th.dataset.role] = hit;
      });
      table.querySelectorAll("td[data-role]").forEach(function (td) {
        td.classList.toggle("pb-hit", !!hits[td.dataset.role]);
      });
      count.textContent = shown + " of " + total + " activities";
      var said = [];
      if (controls.text.value.trim()) { said.push("\u201c" + controls.text.value.trim() + "\u201d"); }
      if (role) { said.push(controls.role.selectedOptions[0] ? controls.role.selectedOptions[0].text : role); }
      if (letter) { said.push("letter " + letter); }
      none.textContent = "No activity matches " + said.join(", ") + ".";
      none.hidden = shown > 0;
      var params = new URLSearchParams();
      if (controls.text.value.trim()) { params.set("q", controls.text.value.trim()); }
      if (role) { params.set("role", role); }
      if (letter) { params.set("letter", letter); }
      var search = params.toString() ? "?" + params.toString() : "";
      permalink.href = (search || location.pathname) + location.hash;
      if (location.search !== search) {
        history.replaceState(history.state, "", location.pathname + search + location.hash);
      }
      if (marked && wrap && !fromUrl) { reveal(marked); }
      place();
    }

    function reveal(role) {
      var th = table.querySelector('thead th[data-role="' + role + '"]');
      var first = table.querySelector("thead th");
      if (!th || !first) { return; }
      var left = th.offsetLeft - first.offsetWidth;
      if (th.offsetLeft < wrap.scrollLeft + first.offsetWidth || th.offsetLeft + th.offsetWidth > wrap.scrollLeft + wrap.clientWidth) {
        wrap.scrollLeft = Math.max(0, left);
      }
    }

    /* The table's scroll box defeats position: sticky for the header, so it is moved. */
    var thead = table.tHead;
    var bar = document.querySelector(".md-header");
    function place() {
      if (!thead) { return; }
      var top = bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
      var box = table.getBoundingClientRect();
      var current = Number(thead.dataset.shift || 0);
      var natural = thead.getBoundingClientRect().top - current;
      var room = box.bottom - natural - thead.offsetHeight;
      var shift = Math.max(0, Math.min(top - natural, room));
      if (shift !== current) {
        thead.dataset.shift = String(shift);
        thead.style.transform = shift ? "translateY(" + shift + "px)" : "";
      }
    }
    window.addEventListener("scroll", place, {passive: true});
    window.addEventListener("resize", place);

    var tip = document.createElement("div");
    tip.className = "pb-tip";
    tip.setAttribute("aria-hidden", "true");
    tip.hidden = true;
    document.body.appendChild(tip);
    function show(td) {
      var note = document.getElementById(td.getAttribute("aria-describedby"));
      if (!note) { return; }
      tip.textContent = note.textContent;
      tip.hidden = false;
      var r = td.getBoundingClientRect();
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var x = Math.min(Math.max(8, r.left + r.width / 2 - w / 2), window.innerWidth - w - 8);
      var y = r.bottom + 6 + h > window.innerHeight ? r.top - h - 6 : r.bottom + 6;
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    }
    function hide() { tip.hidden = true; }
    table.querySelectorAll("td[data-note]").forEach(function (td) {
      td.addEventListener("mouseenter", function () { show(td); });
      td.addEventListener("mouseleave", function () { if (document.activeElement !== td) { hide(); } });
      td.addEventListener("focus", function () { show(td); });
      td.addEventListener("blur", hide);
    });
    window.addEventListener("scroll", hide, {passive: true});
    if (wrap) { wrap.addEventListener("scroll", hide, {passive: true}); }

    var params = new URLSearchParams(location.search);
    controls.text.value = params.get("q") || "";
    ["role", "letter"].forEach(function (key) {
      var wanted = params.get(key);
      if (wanted && controls[key].querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
        controls[key].value = wanted;
      }
    });
    Object.keys(controls).forEach(function (key) {
      controls[key].addEventListener(key === "text" ? "input" : "change", function () { apply(false); });
    });
    box.hidden = false;
    app.classList.add("pb-js");
    apply(true);
    if (controls.role.value && wrap) { reveal(controls.role.value); }
  }

  /* The phone's cards, built from the table: an area's activities, each with its letters in
     the playbook's order (the list's data-order) and each letter's holders in the order the
     playbook lists them (a cell's data-at, else the columns'), with their notes. */
  function buildCards(table, list, box) {
    var order = (list.dataset.order || "").split(" ").filter(Boolean);
    var tips = {};
    box.querySelectorAll("select[data-filter=letter] option").forEach(function (o) {
      if (o.value) { tips[o.value] = o.dataset.tip || o.value; }
    });
    var links = {};
    table.querySelectorAll("thead th[data-role]").forEach(function (th) {
      links[th.dataset.role] = th.querySelector("a");
    });
    function el(tag, cls) {
      var e = document.createElement(tag);
      if (cls) { e.className = cls; }
      return e;
    }
    var all = document.createDocumentFragment();
    Array.prototype.forEach.call(table.tBodies, function (tb) {
      var area = tb.dataset.area || "";
      var section = el("section", "pb-cards-area"), title = el("h2", "pb-cards-title"), ol = el("ol", "pb-cards");
      title.textContent = area;
      section.append(title, ol);
      tb.querySelectorAll("tr[id]").forEach(function (tr) {
        var card = el("li", "pb-card"), name = el("p", "pb-card-name"), where = el("p", "pb-card-where");
        card.dataset.activity = tr.id;
        var a = tr.cells[0].querySelector("a");
        name.appendChild(a ? a.cloneNode(true) : document.createTextNode(tr.cells[0].textContent));
        where.textContent = [area, tr.cells[1].textContent].filter(Boolean).join(" \u00b7 ");
        var held = {};
        tr.querySelectorAll("td[data-role]").forEach(function (td) {
          var at = (td.dataset.at || "").split(" ");
          td.dataset.letters.split(" ").forEach(function (k, i) {
            var list = held[k] = held[k] || [];
            list.push({td: td, at: at[i] ? Number(at[i]) : list.length});
          });
        });
        var ul = el("ul");
        order.forEach(function (k) {
          if (!held[k]) { return; }
          var line = el("li"), mark = el("abbr", "pb-l pb-l-" + k.toLowerCase());
          mark.title = tips[k] || k;
          mark.textContent = k;
          line.append(mark, " ");
          held[k].sort(function (x, y) { return x.at - y.at; }).forEach(function (h, i) {
            var role = h.td.dataset.role;
            var link = links[role] ? links[role].cloneNode(true) : el("span");
            var note = h.td.hasAttribute("data-note") && document.getElementById(h.td.getAttribute("aria-describedby"));
            if (i) { line.append(" \u00b7 "); }
            if (note) {
              var both = el("span"), said = el("span", "pb-card-note"), b = note.querySelector("b");
              both.dataset.role = role;
              said.textContent = "(" + note.textContent.slice(b ? b.textContent.length + 2 : 0) + ")";
              both.append(link, " ", said);
              line.appendChild(both);
            } else {
              link.dataset.role = role;
              line.appendChild(link);
            }
          });
          ul.appendChild(line);
        });
        card.append(name, where, ul);
        ol.appendChild(card);
      });
      all.appendChild(section);
    });
    list.appendChild(all);
  }

  /* The list of areas (a split matrix) carries a filter link on to each area's page. */
  function carry() {
    if (!location.search) { return; }
    document.querySelectorAll('.md-content a[href]').forEach(function (a) {
      var href = a.getAttribute("href");
      if (/^(\.\.\/)*[^:/?#]+\/?$/.test(href) && a.closest("table") && !a.closest(".pb-matrix")) {
        a.setAttribute("href", href + location.search);
      }
    });
  }

  function init() {
    /* Material's search dialog has no accessible name; give it one. */
    document.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll(".pb-filter").forEach(setup);
    if (document.querySelector(".pb-areas")) { carry(); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    /* Engagement print: the printed footer (an @page margin box reads these from the root). */
    var footer = document.querySelector("[data-print-footer]");
    var root = document.documentElement.style;
    if (footer) {
      root.setProperty("--pb-print-footer", '"' + footer.dataset.printFooter.replace(/["\\]/g, "\\$&") + '"');
      root.setProperty("--pb-print-page", '"page " counter(page) " of " counter(pages)');
    } else {
      root.removeProperty("--pb-print-footer");
      root.removeProperty("--pb-print-page");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
