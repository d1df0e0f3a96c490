// Small enhancements of the server-rendered pages; every page works without them.
//  - a long select (more than 15 options) gets a box that filters its options as
//    one types;
//  - an account picker (fieldset[data-picker]: checkboxes grouped by unit in
//    <details>) gets a search box and select-all boxes per group and overall.
(function () {
  "use strict";

  var LONG_SELECT = 15;

  function norm(s) {
    return (s || "").replace(/\s+/g, "").toLowerCase();
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text) e.textContent = text;
    return e;
  }

  function searchableSelect(select) {
    if (select.multiple || select.dataset.nosearch !== undefined) return;
    if (select.options.length <= LONG_SELECT) return;
    var box = el("input", {
      type: "search",
      class: "select-filter",
      placeholder: "输入文字筛选（共" + select.options.length + "项）",
      "aria-label": "筛选选项",
    });
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = norm(box.value);
      var firstShown = null;
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (o) {
        var match = !q || norm(o.text).indexOf(q) >= 0 || o.value === "";
        o.hidden = !match;
        if (match) {
          shown += 1;
          if (firstShown === null && o.value !== "") firstShown = o;
        }
      });
      var current = select.options[select.selectedIndex];
      if (q && firstShown && (!current || current.hidden || current.value === "")) {
        firstShown.selected = true;
      }
      box.title = "匹配 " + shown + " 项";
    });
    // Enter picks the first match instead of submitting the form unasked.
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        select.focus();
      }
    });
  }

  function accountPicker(fieldset) {
    var groups = Array.prototype.slice.call(
      fieldset.querySelectorAll("details.account-group")
    );
    if (!groups.length) return;
    Array.prototype.forEach.call(fieldset.querySelectorAll(".nojs"), function (n) {
      n.hidden = true;
    });

    var bar = el("div", { class: "picker-bar" });
    var search = el("input", {
      type: "search",
      class: "picker-search",
      placeholder: "输入账号或单位名称筛选",
      "aria-label": "筛选账号",
    });
    var allLabel = el("label", { class: "picker-all" });
    var all = el("input", { type: "checkbox", class: "picker-all-box" });
    allLabel.appendChild(all);
    allLabel.appendChild(document.createTextNode(" 全选（当前筛选结果）"));
    var summary = el("span", { class: "picker-summary muted" });
    var expand = el("button", { type: "button", class: "secondary picker-expand" }, "全部展开");
    bar.appendChild(search);
    bar.appendChild(allLabel);
    bar.appendChild(expand);
    bar.appendChild(summary);
    var legend = fieldset.querySelector("legend");
    fieldset.insertBefore(bar, legend ? legend.nextSibling : fieldset.firstChild);

    function boxesOf(g, visibleOnly) {
      return Array.prototype.filter.call(
        g.querySelectorAll("label.account-choice"),
        function (l) {
          return !visibleOnly || !l.hidden;
        }
      ).map(function (l) {
        return l.querySelector("input[type=checkbox]");
      });
    }

    function setState(box, boxes) {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      box.checked = boxes.length > 0 && n === boxes.length;
      box.indeterminate = n > 0 && n < boxes.length;
    }

    var groupBoxes = groups.map(function (g) {
      var label = el("label", { class: "group-all" });
      var box = el("input", { type: "checkbox", class: "group-all-box" });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" 全选本组"));
      var list = g.querySelector(".account-list");
      list.parentNode.insertBefore(label, list);
      box.addEventListener("change", function () {
        boxesOf(g, true).forEach(function (b) { b.checked = box.checked; });
        refresh();
      });
      return box;
    });

    function refresh() {
      var total = 0;
      var visibleAll = [];
      groups.forEach(function (g, i) {
        var every = boxesOf(g, false);
        var n = every.filter(function (b) { return b.checked; }).length;
        total += n;
        var t = g.querySelector(".ticked");
        if (t) t.textContent = String(n);
        var visible = g.hidden ? [] : boxesOf(g, true);
        setState(groupBoxes[i], visible);
        visibleAll = visibleAll.concat(visible);
      });
      setState(all, visibleAll);
      summary.textContent = "已选 " + total + " 个账号";
    }

    all.addEventListener("change", function () {
      groups.forEach(function (g) {
        if (!g.hidden) boxesOf(g, true).forEach(function (b) { b.checked = all.checked; });
      });
      refresh();
    });

    expand.addEventListener("click", function () {
      var open = expand.textContent === "全部展开";
      groups.forEach(function (g) { if (!g.hidden) g.open = open; });
      expand.textContent = open ? "全部收起" : "全部展开";
    });

    search.addEventListener("input", function () {
      var q = norm(search.value);
      groups.forEach(function (g) {
        var name = norm(g.querySelector("summary").textContent);
        var groupMatch = q && name.indexOf(q) >= 0;
        var shown = 0;
        Array.prototype.forEach.call(g.querySelectorAll("label.account-choice"), function (l) {
          var match = !q || groupMatch || norm(l.textContent).indexOf(q) >= 0;
          l.hidden = !match;
          if (match) shown += 1;
        });
        g.hidden = shown === 0;
        if (q && shown > 0) g.open = true;
      });
      refresh();
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();
    });

    fieldset.addEventListener("change", function (e) {
      if (e.target.name === "account_ids") refresh();
    });
    refresh();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select"), searchableSelect);
    Array.prototype.forEach.call(
      document.querySelectorAll("fieldset[data-picker]"),
      accountPicker
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
