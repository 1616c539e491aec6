// Pickers of a user or a body (templates/_macros/picker.html): typing asks the server for at most 20 matching
// names (/suggest/users, /suggest/bodies) after a short pause; a click, or the arrows and Enter, chooses one and puts
// its id in the hidden field. Typing again clears the id, so the server then reads the typed name (as it does
// without this script). No library: the page ships the names asked for, never the whole directory.
(() => {
  "use strict";
  const PAUSE = 200;  // ms after the last key before asking

  const setup = (box) => {
    const text = box.querySelector('input[type="text"]');
    const hidden = box.querySelector('input[type="hidden"]');
    const list = box.querySelector(".picker-list");
    let timer = null;
    let asked = 0;
    let active = -1;

    const items = () => Array.from(list.querySelectorAll("li[data-id]"));
    const close = () => {
      list.hidden = true;
      text.setAttribute("aria-expanded", "false");
      active = -1;
    };
    const highlight = (index) => {
      const all = items();
      all.forEach((li, i) => li.classList.toggle("active", i === index));
      active = index;
      if (all[index]) {
        all[index].scrollIntoView({ block: "nearest" });
      }
    };
    const choose = (li) => {
      text.value = li.dataset.label;
      hidden.value = li.dataset.id;
      text.classList.remove("is-invalid");
      close();
      text.dispatchEvent(new Event("change", { bubbles: true }));
    };
    const show = (found) => {
      list.replaceChildren();
      if (found.length === 0) {
        const none = document.createElement("li");
        none.className = "list-group-item small text-muted";
        none.textContent = "Ничего не найдено";
        list.append(none);
      }
      found.forEach((item) => {
        const li = document.createElement("li");
        li.className = "list-group-item list-group-item-action";
        li.setAttribute("role", "option");
        li.dataset.id = item.id;
        li.dataset.label = item.label;
        li.textContent = item.label;
        if (item.hint) {
          const hint = document.createElement("div");
          hint.className = "small text-muted";
          hint.textContent = item.hint;
          li.append(hint);
        }
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();  // keep the focus in the box
          choose(li);
        });
        list.append(li);
      });
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
      active = -1;
    };
    const ask = () => {
      const q = text.value.trim();
      if (!q) {
        close();
        return;
      }
      const source = box.dataset.picker;
      const url = `${source}${source.includes("?") ? "&" : "?"}q=${encodeURIComponent(q)}`;
      const mine = ++asked;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { items: [] }))
        .then((answer) => {
          if (mine === asked && document.activeElement === text) {  // only the latest answer, while still typing
            show(answer.items || []);
          }
        })
        .catch(() => close());
    };

    text.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE);
    });
    text.addEventListener("keydown", (event) => {
      const all = items();
      if (list.hidden || all.length === 0) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % all.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + all.length) % all.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // choose, do not submit yet
        choose(all[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    text.addEventListener("blur", () => setTimeout(close, 100));
  };

  document.querySelectorAll("[data-picker]").forEach(setup);
})();
