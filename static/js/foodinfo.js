/* The category finder: a search box above a <select data-filter-placeholder> that keeps only the
   options (and their groups) whose name contains what was typed, accents and case ignored.
   Without JavaScript the grouped select works as it is. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/œ/g, "oe").toLowerCase();
  }
  function matches(text, words) {  // every word typed, in any order
    var folded = fold(text);
    return words.every(function (word) { return folded.indexOf(word) !== -1; });
  }
  function enhance(select) {
    var all = Array.prototype.slice.call(select.children).map(function (node) { return node.cloneNode(true); });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "category-finder";
    input.placeholder = select.getAttribute("data-filter-placeholder");
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    var picked = select.value;  // what the producer chose, restored when the search is cleared
    select.addEventListener("change", function () { picked = select.value; });
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var words = wanted.split(/\s+/).filter(Boolean);
      var chosen = wanted ? select.value : picked;
      while (select.firstChild) { select.removeChild(select.firstChild); }
      var found = [];
      all.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          var groupMatches = words.length > 0 && matches(node.label, words);
          Array.prototype.forEach.call(node.children, function (option) {
            if (!wanted || groupMatches || matches(option.text, words)) {
              group.appendChild(option.cloneNode(true));
              if (option.value) { found.push(option.value); }
            }
          });
          if (group.children.length) { select.appendChild(group); }
        } else if (!wanted || !node.value || matches(node.text, words)) {
          select.appendChild(node.cloneNode(true));
          if (node.value) { found.push(node.value); }
        }
      });
      if (found.indexOf(chosen) !== -1) {
        select.value = chosen;
      } else if (found.length) {
        select.value = found[0];  // the best guess shows; the producer can open the list
      }
    });
  }
  document.querySelectorAll("select[data-filter-placeholder]").forEach(enhance);
})();
