/* The body editor of the drafting form: Quill (vendored, see vendor/README.md) over the
   body's <textarea>. Progressive enhancement: without this script (or Quill) the textarea
   is posted as it is. The textarea stays the field that is submitted, kept in step with
   the editor; the server sanitises what arrives (publishing/sanitise.py), and the
   toolbar offers only what the sanitiser keeps (headings h2–h4, bold, italic, underline,
   lists, quotes, links). A body holding a table is left in the textarea: Quill's default
   formats have no tables and would drop it. */
(function () {
  "use strict";

  var TOOLBAR = [
    [{ header: [2, 3, 4, false] }],
    ["bold", "italic", "underline"],
    [{ list: "ordered" }, { list: "bullet" }],
    ["blockquote", "link"],
    ["clean"]
  ];

  function html(quill) {
    if (quill.getLength() <= 1 && !quill.getText().trim()) {
      return "";
    }
    // Quill 2.0.3's semantic HTML writes every space as &nbsp;.
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }

  function enhance(textarea) {
    if (/<table[\s>]/i.test(textarea.value)) {
      var note = document.createElement("p");
      note.className = "muted";
      note.setAttribute("data-testid", "rich-editor-off");
      note.textContent = "正文含有表格，请直接修改HTML（编辑器不支持表格）。";
      textarea.parentNode.insertBefore(note, textarea);
      return;
    }
    var holder = document.createElement("div");
    holder.className = "rich-editor";
    holder.setAttribute("data-testid", "rich-editor");
    textarea.parentNode.insertBefore(holder, textarea);
    var quill = new window.Quill(holder, {
      theme: "snow",
      modules: { toolbar: TOOLBAR }
    });
    if (textarea.value.trim()) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value, "silent");
    }
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", label ? label.textContent.replace(/[:：]\s*$/, "") : "正文");
    if (label) {
      // The label now names the editor, which takes the focus it used to give the textarea.
      label.addEventListener("click", function (event) {
        event.preventDefault();
        quill.focus();
      });
    }
    textarea.hidden = true;
    textarea.setAttribute("data-rich-text-enhanced", "1");
    quill.on("text-change", function () {
      textarea.value = html(quill);
    });
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () {
        textarea.value = html(quill);
      });
    }
  }

  function start() {
    if (typeof window.Quill === "undefined") {
      return;  // the vendored file did not load: the textarea works as it is
    }
    var fields = document.querySelectorAll("textarea[data-rich-text]");
    for (var i = 0; i < fields.length; i++) {
      enhance(fields[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
