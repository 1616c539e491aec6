// Multi-selects (responsible bodies of a point, co-executors, people to acknowledge) become searchable
// lists of chips with Tom Select, served locally: type a few letters to filter, Enter adds, × or Backspace removes.
// With data-suggest the choices come from the server as a name is typed (/suggest/bodies, /suggest/users).
// The original <select multiple> stays in the form and is what is submitted; without this script it still works.
// Only our own files: the CSP allows no inline script or style.
(() => {
  "use strict";
  if (typeof window.TomSelect !== "function") {
    return;
  }
  document.querySelectorAll("select[multiple]").forEach((select) => {
    if (select.tomselect) {
      return;
    }
    // people and bodies: asked from the server as they are typed, never listed all; the select holds only the
    // ones chosen (a body's hint — its full name, the body above — shown under it and searched too)
    const source = select.dataset.suggest;
    const remote = source ? {
      valueField: "id",
      labelField: "label",
      searchField: ["label", "hint"],
      shouldLoad: (query) => query.trim().length > 0,
      load: (query, callback) => {
        const url = `${source}${source.includes("?") ? "&" : "?"}q=${encodeURIComponent(query)}`;
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { items: [] }))
          .then((answer) => callback(answer.items || []))
          .catch(() => callback());
      },
    } : {};
    const option = (item, escape) => (item.hint
      ? `<div>${escape(item.label)}<div class="small text-muted">${escape(item.hint)}</div></div>`
      : `<div>${escape(item.label)}</div>`);
    new window.TomSelect(select, {
      ...remote,
      plugins: { remove_button: { title: "Убрать" } },
      maxOptions: null,  // the whole of a short fixed list (roles, events); the server sends at most 20 names
      placeholder: "Начните вводить название…",
      hidePlaceholder: false,  // the box keeps its height when it loses focus: a click below it must not miss
      closeAfterSelect: false,
      render: {
        no_results: () => '<div class="no-results">Ничего не найдено</div>',
        ...(source ? { option } : {}),
      },
    });
  });
})();
