// The manuscript editor: a contenteditable area with a small toolbar. The form posts
// the area's HTML in the hidden field body_html; the server cleans it against its
// allow-list, so what Word pastes (styles, classes, spans) is dropped there while
// paragraphs stay. Without JavaScript the field itself is shown and edited as HTML.
(function () {
  var area = document.getElementById('editor');
  var field = document.getElementById('body_html');
  var bar = document.getElementById('toolbar');
  if (!area || !field || !bar) { return; }
  area.innerHTML = field.value;
  field.hidden = true;
  area.hidden = false;
  bar.hidden = false;
  bar.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-cmd]');
    if (!b) { return; }
    e.preventDefault();
    var cmd = b.getAttribute('data-cmd');
    var arg = b.getAttribute('data-arg');
    if (cmd === 'createLink') {
      arg = window.prompt('链接地址（以 http:// 或 https:// 开头）', 'https://');
      if (!arg) { return; }
    }
    document.execCommand(cmd, false, arg);
    area.focus();
  });
  area.closest('form').addEventListener('submit', function () {
    field.value = area.innerHTML;
  });
})();
